"""The package's public names: each importable, listed alike in every place that names it."""

from __future__ import annotations

import ast
from pathlib import Path

import langchain_dataforseo

INIT = Path(langchain_dataforseo.__file__)


def _type_checking_imports() -> dict[str, str]:
    """Name to module of the imports type checkers see (each re-exported ``as`` itself)."""
    tree = ast.parse(INIT.read_text())
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    for alias in stmt.names:
                        assert alias.asname == alias.name, alias.name  # an explicit re-export
                        assert alias.name not in found, alias.name
                        found[alias.name] = stmt.module.removeprefix("langchain_dataforseo.")
    return found


def test_each_public_name_is_listed_once_and_all_and_dir_derive_from_the_table() -> None:
    listed = [name for names in langchain_dataforseo._EXPORTS.values() for name in names]
    assert len(listed) == len(set(listed))
    assert sorted(langchain_dataforseo.__all__) == sorted([*listed, "__version__"])
    assert dir(langchain_dataforseo) == sorted(langchain_dataforseo.__all__)


def test_all_lazy_table_and_type_checking_imports_agree() -> None:
    public = set(langchain_dataforseo.__all__) - {"__version__"}
    assert len(langchain_dataforseo.__all__) == len(set(langchain_dataforseo.__all__))
    assert public == set(langchain_dataforseo._WHERE)
    assert _type_checking_imports() == langchain_dataforseo._WHERE


def test_every_public_name_loads_from_the_module_the_table_names() -> None:
    for name, module in langchain_dataforseo._WHERE.items():
        value = getattr(langchain_dataforseo, name)
        assert getattr(value, "__module__", "").startswith("langchain_dataforseo"), name
        assert module in value.__module__ or hasattr(
            __import__(f"langchain_dataforseo.{module}", fromlist=[name]), name
        )
