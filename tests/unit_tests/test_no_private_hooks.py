"""The transport keeps its deadline and size cap through httpx's and httpcore's public API.

Read from the source (nothing is run): no module imports a private module of httpx or
httpcore, and no attribute, ``getattr`` or ``setattr`` names a private attribute that
httpx's or httpcore's own objects carry (``_pool``, ``_network_backend``, ``_content``...).
The package's own objects (``self._x``) are its business.
"""

from __future__ import annotations

import ast
from pathlib import Path

import httpcore
import httpx

import langchain_dataforseo

PACKAGE = Path(langchain_dataforseo.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
EXTRA_PRIVATE = {"_sock", "_network_stream", "_h11_state", "_backend"}
"""Private attributes of httpcore's streams and connections (not built here)."""


def _private(obj: object) -> set[str]:
    found = set(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        found |= set(vars(cls))
    return {name for name in found if name.startswith("_") and not name.startswith("__")}


def private_names() -> set[str]:
    """The private attribute names of httpx's and httpcore's objects, read from live ones."""
    with httpx.Client() as client:
        objects: list[object] = [
            client,
            httpx.AsyncClient(),
            httpx.HTTPTransport(),
            httpx.AsyncHTTPTransport(),
            httpx.Response(200),
            httpx.Request("GET", "https://api.example.test"),
            httpcore.ConnectionPool(),
            httpcore.AsyncConnectionPool(),
        ]
        names = set().union(*(_private(obj) for obj in objects))
    return names | EXTRA_PRIVATE


def uses_of_private_parts(source: str, names: set[str]) -> list[str]:
    """Each private import or attribute of httpx/httpcore in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            modules = []
        found += [m for m in modules if m.split(".")[0] in ("httpx", "httpcore") and "._" in m]
        if (
            isinstance(node, ast.Attribute)
            and node.attr in names
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append(ast.unparse(node))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in names
        ):
            found.append(ast.unparse(node))
    return found


def test_the_check_sees_what_the_old_deadline_hook_did() -> None:
    names = private_names()
    assert {"_pool", "_network_backend", "_transport", "_mounts", "_content"} <= names
    old = (
        "import httpcore\n"
        "from httpx._transports.default import map_httpcore_exceptions\n"
        "pool = getattr(transport, '_pool', None)\n"
        "pool._network_backend = backend\n"
        "body = getattr(response, '_content', None)\n"
    )
    assert len(uses_of_private_parts(old, names)) == 4


def test_no_module_uses_a_private_part_of_httpx_or_httpcore() -> None:
    names = private_names()
    found = {
        path.relative_to(PACKAGE).as_posix(): uses
        for path in SOURCES
        if (uses := uses_of_private_parts(path.read_text(encoding="utf-8"), names))
    }
    assert found == {}
