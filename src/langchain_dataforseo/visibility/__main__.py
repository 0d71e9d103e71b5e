"""``python -m langchain_dataforseo.visibility``: see ``_cli``."""

import sys

from langchain_dataforseo.visibility._cli import main

sys.exit(main())
