"""The package imports one way: down a table of layers, no cycle, type-only imports included."""

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


LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("L0 errors", ("errors", "_version")),
    ("L1 _api: what we send and what comes back (pure)", ("_api",)),
    ("L2 _transport: the only sockets, sleeps and httpx clients", ("_transport",)),
    ("L2 _money: reserve, settle, hold", ("_money", "costs")),
    ("L3 _standard: the queue", ("_standard",)),
    ("L4 product helpers", ("_chat", "_tooling")),
    (
        "L4 products",
        ("chat_models", "tools", "postback", "middleware", "testing", "scraper", "mentions"),
    ),
    ("L5 visibility", ("visibility",)),
]
"""(layer, rooms), lowest first: a module imports only its own layer and those below.

A room is a root module or a subpackage (the first dotted part under the package).
Behaviour goes upward only as parameters (callables such as ``send``, protocols such as
``SubmitJournal``). docs/contributing.md, "Package layout", has the same table.
"""

APART = ("emulator",)
"""Rooms outside the layers: the emulator imports nothing of the package (tested below)."""

PRODUCTS = ("chat_models", "tools", "postback", "middleware", "testing", "scraper", "mentions")
PRODUCT_IMPORTS = {("tools", "chat_models")}
"""The one product built on another: the LLM Responses tool runs the chat model."""


def _part(module: str) -> str:
    """The room of a module: its first dotted part under the package."""
    return module[len(NAME) + 1 :].split(".")[0]


def layer_of(module: str) -> int | None:
    """The index of the layer holding ``module`` (None if the table does not place it)."""
    part = _part(module)
    for index, (_, prefixes) in enumerate(LAYERS):
        if part in prefixes:
            return index
    return None


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """Every import from a lower layer to a higher one, naming both ends."""
    found = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            low, high = layer_of(source), layer_of(target)
            if low is not None and high is not None and high > low:
                found.append(f"{source} ({LAYERS[low][0]}) imports {target} ({LAYERS[high][0]})")
    return found


def test_the_layer_rule_sees_an_upward_import() -> None:
    edges = {
        f"{NAME}._api.request": {f"{NAME}.chat_models", f"{NAME}.errors"},
        f"{NAME}.tools": {f"{NAME}._api.request"},
    }
    assert upward_imports(edges) == [
        f"{NAME}._api.request (L1 _api: what we send and what comes back (pure)) imports "
        f"{NAME}.chat_models (L4 products)"
    ]


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(
        name
        for name in graph()
        if name != NAME and _part(name) not in APART and layer_of(name) is None
    )
    assert unplaced == [], f"modules missing from the layer table: {unplaced}"


def test_every_room_of_the_layer_table_names_a_module() -> None:
    parts = {_part(name) for name in graph() if name != NAME}
    stale = sorted(p for _, prefixes in LAYERS for p in (*prefixes, *APART) if p not in parts)
    assert stale == [], f"the layer table names rooms that do not exist: {stale}"


def test_imports_go_down_the_layers() -> None:
    assert upward_imports(graph()) == []


def test_the_emulator_imports_nothing_of_the_package() -> None:
    outside = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        if source != NAME and _part(source) in APART
        for target in targets
        if _part(target) not in APART
    )
    assert outside == []


def test_products_do_not_import_each_other_but_tools_the_chat_model() -> None:
    crossings = sorted(
        {
            (_part(source), _part(target))
            for source, targets in graph().items()
            if source != NAME and _part(source) in PRODUCTS
            for target in targets
            if _part(target) in PRODUCTS and _part(target) != _part(source)
        }
    )
    assert [c for c in crossings if c not in PRODUCT_IMPORTS] == []


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
    assert len(visibility) >= 20  # the test sees the visibility package
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
