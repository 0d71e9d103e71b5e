"""The package's modules import one another one way: no cycle, type-only imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import langchain_dataforseo

PACKAGE = Path(langchain_dataforseo.__file__).parent
NAME = "langchain_dataforseo"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every package module that ``path`` imports, at any level (functions, TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith(NAME):
                continue
            for alias in node.names:  # "from pkg import module" names a module
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(NAME))
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    # The package root only re-exports lazily; a module importing the root is not a cycle.
    return {name: _imports(path, known) - {NAME, name} for name, path in paths.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_finder_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_the_package_imports_itself_back() -> None:
    assert find_cycle(graph()) is None


def test_the_standard_method_does_not_know_the_chat_model() -> None:
    edges = graph()
    standard = [name for name in edges if name.startswith(f"{NAME}._standard")]
    assert len(standard) >= 8
    for name in standard:
        assert f"{NAME}.chat_models" not in edges[name], name


def _room(module: str) -> str:
    """The room of a module: its subpackage, or the root module itself."""
    return ".".join(module.split(".")[:2])


def rooms(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The import graph between rooms (subpackages and root modules), self-edges left out."""
    joined: dict[str, set[str]] = {}
    for name, targets in edges.items():
        here = _room(name)
        joined.setdefault(here, set()).update(_room(t) for t in targets if _room(t) != here)
    return joined


def test_no_room_imports_itself_back() -> None:
    # a cycle between a subpackage and root modules (``_standard`` <-> ``_client``, ``_pools``)
    # is invisible module by module; between rooms it is one
    assert find_cycle(rooms({"p.a.x": {"p.b"}, "p.b": {"p.a.y"}, "p.a.y": set()})) == [
        "p.a",
        "p.b",
        "p.a",
    ]
    assert find_cycle(rooms(graph())) is None


# The products built on the Standard queue; every other root module is below it.
STANDARD_USERS = {"_chat_base", "chat_models", "tools", "postback", "middleware", "testing"}


def test_only_products_import_the_standard_queue_among_root_modules() -> None:
    edges = graph()
    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in edges.items()
        if name.count(".") == 1 and name.split(".")[1] not in STANDARD_USERS
        for target in targets
        if target.startswith(f"{NAME}._standard") and not name.startswith(f"{NAME}._standard")
    )
    assert offenders == []
