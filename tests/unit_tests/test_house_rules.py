"""House rules the package's layout keeps: small modules, and no hand-written sync/async twin.

Both read the source (nothing is imported or run): a module over the size limit, or a
function ``foo`` with an async ``afoo`` whose bodies are both long, fails here with its
name, so a regression is seen where it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

import langchain_dataforseo

PACKAGE = Path(langchain_dataforseo.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))

MAX_LINES = 1000  # #20: modules split by concept, not by length (~1,000 lines for one concept)
"""A module over this many lines has more than one concern: split it."""

OVERSIZED_FOR_NOW: set[str] = set()
"""Modules allowed over the limit while they wait for a split (none now)."""

MAX_TWIN_STATEMENTS = 6
"""A sync/async pair whose bodies both have more statements than this is a twin."""

DRIVERS = {
    # The one blocking and the one async driver of a protocol: they perform the steps a
    # sans-I/O generator yields (or the I/O itself), so they differ only in how they wait.
    "_drive.py:drive",  # every sans-I/O protocol's loop: perform each step, send its result
    "_http.py:send",  # one exchange: httpx.Client.send vs AsyncClient.send, deadline per kind
    "_pools.py:SingleFlight.run",  # one fetch shared by concurrent callers: a lock vs a future
    "_standard/io.py:post_all",  # chunks posted in turn vs concurrently (asyncio.gather)
    "_standard/io.py:_collect_step",  # a thread pool vs asyncio.gather for the task_gets
    "_live.py:live_call",  # reserve, send, settle: the budget's blocking vs async wait
    "_budget.py:Budget.reserve_call",  # its turn in a batch, then room: a Condition vs polling
    "_batch_order.py:run_in_order",  # a thread pool vs asyncio workers, taking inputs in order
    "chat_models.py:ChatDataForSEO.batch",  # Standard or Live, then the driver above
}


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {_relative(p): len(p.read_text(encoding="utf-8").splitlines()) for p in SOURCES}
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert set(over) - OVERSIZED_FOR_NOW == set(), f"modules over {MAX_LINES} lines: {over}"


def test_the_size_allow_list_names_real_modules() -> None:
    names = {_relative(p) for p in SOURCES}
    assert names >= OVERSIZED_FOR_NOW, OVERSIZED_FOR_NOW - names


def _statements(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Statements in the body at any depth, the docstring left out."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return sum(isinstance(node, ast.stmt) for stmt in body for node in ast.walk(stmt))


def _async_name(name: str) -> str:
    """``foo`` -> ``afoo``, ``_foo`` -> ``_afoo`` (LangChain's ``_run`` -> ``_arun``)."""
    bare = name.lstrip("_")
    return name[: len(name) - len(bare)] + "a" + bare


def twins(source: str, module: str) -> dict[str, tuple[int, int]]:
    """Each sync/async pair of one scope (module or class) with the size of both bodies."""
    tree = ast.parse(source)
    scopes: list[tuple[str, list[ast.stmt]]] = [("", tree.body)]
    scopes += [(f"{n.name}.", n.body) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    found: dict[str, tuple[int, int]] = {}
    for prefix, body in scopes:
        functions = {
            n.name: n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        for name, sync in functions.items():
            twin = functions.get(_async_name(name))
            if isinstance(sync, ast.FunctionDef) and isinstance(twin, ast.AsyncFunctionDef):
                found[f"{module}:{prefix}{name}"] = (_statements(sync), _statements(twin))
    return found


def _all_twins() -> dict[str, tuple[int, int]]:
    return {
        name: size
        for path in SOURCES
        for name, size in twins(path.read_text(encoding="utf-8"), _relative(path)).items()
    }


def test_no_hand_written_sync_async_twin() -> None:
    pairs = _all_twins()
    long = {name: size for name, size in pairs.items() if min(size) > MAX_TWIN_STATEMENTS}
    extra = {name: long[name] for name in set(long) - DRIVERS}
    assert extra == {}, (
        "sync/async pairs written twice (write the operation once, as steps or a shared "
        f"helper, and keep both methods thin): {extra}"
    )


def test_the_twin_check_finds_a_twin() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_TWIN_STATEMENTS + 1))
    source = (
        f"class Tool:\n    def _run(self):\n{body}\n\n    async def _arun(self):\n{body}\n"
        f"    async def _arender(self):\n{body}\n"  # no sync twin: not a pair
    )
    found = twins(source, "probe.py")
    assert found == {"probe.py:Tool._run": (MAX_TWIN_STATEMENTS + 1, MAX_TWIN_STATEMENTS + 1)}


def test_every_allowed_driver_is_still_a_long_pair() -> None:
    pairs = _all_twins()
    stale = {name for name in DRIVERS if min(pairs.get(name, (0, 0))) <= MAX_TWIN_STATEMENTS}
    assert stale == set(), f"drop these from DRIVERS (gone or thin now): {stale}"
