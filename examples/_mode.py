"""How the examples reach DataForSEO: live with credentials, otherwise replaying cassettes.

- ``DATAFORSEO_LOGIN`` and ``DATAFORSEO_PASSWORD`` set: real calls (to ``DATAFORSEO_BASE_URL``,
  default the live API; the sandbox or the local emulator work too). This costs money on the
  live API.
- Not set: offline, the example replays its recorded cassette from ``cassettes/examples/``.
- ``DATAFORSEO_VCR_RECORD_MODE=all`` (with credentials): calls and re-records the cassette.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_dataforseo.testing import record_mode, use_cassette

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes" / "examples"


EXTRA_HINT = (
    'pip install "langchain-dataforseo[examples]" (from a clone: pip install -e ".[examples]", '
    "or run `make quickstart` once, which installs it into .venv)"
)


def missing_extra(example: str, module: str) -> str:
    """The message an example exits with when a package of the ``examples`` extra is missing."""
    return (
        f"examples/{example} needs the '{module}' package, which a plain install lacks: "
        f"{EXTRA_HINT}"
    )


def credentials_set() -> bool:
    return bool(os.environ.get("DATAFORSEO_LOGIN") and os.environ.get("DATAFORSEO_PASSWORD"))


@contextmanager
def dataforseo_session(name: str) -> Iterator[dict[str, Any]]:
    """Yield the extra model arguments for this run (empty when calling for real)."""
    cassette = CASSETTES / f"{name}.yaml"
    mode = record_mode()
    if mode != "none":
        print(f"[recording] {cassette.relative_to(CASSETTES.parent.parent)} (mode {mode})")
        with use_cassette(cassette, mode):
            yield {}
    elif credentials_set():
        print(f"[live] calling {os.environ.get('DATAFORSEO_BASE_URL', 'the DataForSEO API')}")
        yield {}
    else:
        print(f"[offline] no DataForSEO credentials set: replaying cassettes/examples/{name}.yaml")
        with use_cassette(cassette, "none"):
            yield {
                "login": "offline",
                "password": "offline",
                "base_url": "https://api.dataforseo.com",
            }
