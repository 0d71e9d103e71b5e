"""The package's public names: each importable, listed alike in every place that names it."""

from __future__ import annotations

import ast
from pathlib import Path

import langchain_dataforseo

INIT = Path(langchain_dataforseo.__file__)


def _type_checking_imports() -> set[str]:
    tree = ast.parse(INIT.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names.update(alias.name for alias in stmt.names)
    return names


def test_all_lazy_table_and_type_checking_imports_agree() -> None:
    public = set(langchain_dataforseo.__all__) - {"__version__"}
    assert len(langchain_dataforseo.__all__) == len(set(langchain_dataforseo.__all__))
    assert public == set(langchain_dataforseo._WHERE)
    assert public == _type_checking_imports()


def test_every_public_name_loads_from_the_module_the_table_names() -> None:
    for name, module in langchain_dataforseo._WHERE.items():
        value = getattr(langchain_dataforseo, name)
        assert getattr(value, "__module__", "").startswith("langchain_dataforseo"), name
        assert module in value.__module__ or hasattr(
            __import__(f"langchain_dataforseo.{module}", fromlist=[name]), name
        )
