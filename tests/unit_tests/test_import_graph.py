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


# The products built on the Standard queue; every other root module is below it. The
# scraper package re-exports the queue's ``CollectSettings`` (its Standard tasks run on it).
STANDARD_USERS = {
    "_chat_base",
    "chat_models",
    "tools",
    "postback",
    "middleware",
    "testing",
    "scraper",
}


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


# -- visibility stands on the queue ---------------------------------------------------------

PRODUCTS_VISIBILITY_MUST_NOT_REACH = (f"{NAME}.chat_models", f"{NAME}.tools")
VISIBILITY_EXCEPTIONS = {
    # the judge command uses a ChatDataForSEO model as a judge by design (imported inside
    # the command function): the one stated exception
    f"{NAME}.visibility._cli_judge": {f"{NAME}.chat_models"},
}


def _exports() -> dict[str, str]:
    """The root's public names to the module that defines each (its lazy re-exports)."""
    return {
        name: f"{NAME}.{module}"
        for module, names in langchain_dataforseo._EXPORTS.items()
        for name in names
    }


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node that can run (imports in functions included), ``TYPE_CHECKING`` aside."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def runtime_graph() -> dict[str, set[str]]:
    """Every edge Python follows: ``from pkg import Name`` reaches the module defining
    ``Name``, and importing ``a.b.c`` runs ``a.b``'s ``__init__`` first."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    exports = _exports()
    edges: dict[str, set[str]] = {}
    for name, path in paths.items():
        found: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if not node.module.startswith(NAME):
                    continue
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    if node.module == NAME and alias.name in exports:
                        found.add(exports[alias.name])
                    else:
                        found.add(child if child in known else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith(NAME))
        parents = {".".join(f.split(".")[:i]) for f in found for i in range(2, f.count(".") + 2)}
        edges[name] = {m for m in found | parents if m in known and m not in (NAME, name)}
    return edges


def path_to(edges: dict[str, set[str]], start: str, targets: tuple[str, ...]) -> list[str] | None:
    """The first import chain from ``start`` to one of ``targets`` (breadth first)."""
    came: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node in targets:
            chain = [node]
            while (before := came[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        allowed = edges.get(node, set()) - VISIBILITY_EXCEPTIONS.get(node, set())
        for nxt in sorted(allowed - set(came)):
            came[nxt] = node
            queue.append(nxt)
    return None


def test_the_finder_follows_root_names_and_parent_packages() -> None:
    edges = {"v": {"q"}, "q": {"c"}, "c": set()}
    assert path_to(edges, "v", ("c",)) == ["v", "q", "c"]
    assert path_to(edges, "q", ("v",)) is None
    graph_now = runtime_graph()
    assert f"{NAME}.chat_models" in graph_now[f"{NAME}.tools"]  # the tools stand on it


def test_visibility_never_reaches_the_chat_model_or_the_tools() -> None:
    edges = runtime_graph()
    visibility = [name for name in edges if name.startswith(f"{NAME}.visibility")]
    assert len(visibility) >= 30
    reached = {
        name: chain
        for name in visibility
        if (chain := path_to(edges, name, PRODUCTS_VISIBILITY_MUST_NOT_REACH)) is not None
    }
    assert reached == {}, "\n".join(" -> ".join(c) for c in reached.values())


def test_the_judge_command_is_the_one_exception_and_imports_the_model_lazily() -> None:
    path = PACKAGE / "visibility" / "_cli_judge.py"
    top_level = {
        node.module
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert f"{NAME}.chat_models" not in top_level
    assert f"{NAME}.chat_models" in runtime_graph()[f"{NAME}.visibility._cli_judge"]
