"""Where a store lives (a SQLite file or a PostgreSQL database) and how its SQL is spoken.

The store writes one SQL: SQLite's, with ``?`` parameters. On PostgreSQL (psycopg 3) a
thin connection (:class:`PgConnection`) translates it: ``?`` becomes ``%s``, ``BEGIN
IMMEDIATE`` a plain ``BEGIN``, ``INSERT OR IGNORE`` an ``ON CONFLICT DO NOTHING``, and the
migrations' DDL (:func:`ddl_for`) gets PostgreSQL's types (an identity ``id``, ``DOUBLE
PRECISION`` for ``REAL``, ``TEXT COLLATE "C"`` so text sorts as SQLite sorts it). A
``SUM`` of a comparison (``SUM(status = 'measured')``, SQLite counts the true ones) works
through an aggregate ``sum(boolean)`` the migrations create on PostgreSQL. That aggregate
is written in SQL: about 8x slower per row than a built-in one and never parallel, so the
reads that scan a run's tasks (``metrics``, ``runs``) write ``SUM(CASE WHEN ... THEN 1
ELSE 0 END)`` instead.

A database password never leaves this module in clear: :attr:`StoreLocation.shown` is the
URL with ``***`` for it, and every error of the server is raised as a
:class:`DatabaseServerError` with the password scrubbed from its text.
"""

from __future__ import annotations

import argparse
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from langchain_dataforseo.visibility._errors import DatabaseServerError, VisibilityStoreError

if TYPE_CHECKING:
    import psycopg

SQLITE: Final = "sqlite"
POSTGRESQL: Final = "postgresql"
_PG_SCHEMES: Final = ("postgresql", "postgres")
POSTGRES_EXTRA: Final = "postgres"
"""The package extra that installs the PostgreSQL driver (``psycopg[binary]``)."""


class Cursor(Protocol):
    """What a statement gives back, on either dialect (a DB-API cursor's reading part)."""

    @property
    def rowcount(self) -> int:
        """Rows changed by the statement."""

    def fetchone(self) -> Any:
        """The next row, or ``None``."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""

    def __iter__(self) -> Iterator[Any]:
        """The remaining rows, one at a time."""


class Connection(Protocol):
    """The store's connection on either dialect: SQLite's SQL with ``?`` parameters."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one statement (SQLite's SQL, ``?`` parameters); returns a :class:`Cursor`."""

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        """Run one statement once per parameter row; returns a :class:`Cursor`."""

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open."""

    def close(self) -> None:
        """Close the connection."""


@dataclass(frozen=True)
class StoreLocation:
    """Where a store lives, parsed from a path or a URL.

    Attributes:
        dialect: ``sqlite`` or ``postgresql``.
        path: The SQLite file (``None`` for PostgreSQL).
        shown: How the store is named in messages and reprs (the URL's password ``***``).
        url: The PostgreSQL URL as given, password included (never shown).
        password: The password in that URL, if any (scrubbed from server errors).
    """

    dialect: str
    path: Path | None
    shown: str
    url: str = field(default="", repr=False)
    password: str | None = field(default=None, repr=False)


def redact_url(text: str) -> str:
    """``text`` with the password of every ``postgres[ql]://user:password@`` in it hidden.

    Args:
        text: Any text (a URL, an error message).

    Returns:
        The text with each such password replaced by ``***``, and the value of each
        ``password=`` parameter of such a URL (libpq takes it in the query) too.
    """
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _URL_QUERY.sub(lambda m: _QUERY_PASSWORD.sub(r"\1***", m.group(0)), text)


_URL_PASSWORD: Final = re.compile(r"((?:postgres(?:ql)?(?:\+\w+)?)://[^:/@\s]*:)[^@\s]*@", re.I)
_URL_QUERY: Final = re.compile(r"(?:postgres(?:ql)?(?:\+\w+)?)://[^?\s]*\?\S*", re.I)
_QUERY_PASSWORD: Final = re.compile(r"([?&]password=)[^&#\s]*", re.I)


def parse_location(location: str | Path) -> StoreLocation:
    """Where a store lives: a file path, ``sqlite:///path``, or ``postgresql://...``.

    ``sqlite:///file.db`` names ``file.db`` (relative), ``sqlite:////abs/file.db`` an
    absolute path (the convention of SQLAlchemy URLs).

    Args:
        location: A path, or a URL (``sqlite:`` or ``postgresql:`` / ``postgres:``).

    Returns:
        The parsed location.

    Raises:
        VisibilityStoreError: For a URL of another scheme, or a PostgreSQL URL without a
            host or database name.
    """
    if isinstance(location, Path):
        return StoreLocation(SQLITE, location, str(location))
    text = str(location)
    scheme, sep, rest = text.partition("://")
    if not sep or "/" in scheme or "\\" in scheme or len(scheme) < 2:
        return StoreLocation(SQLITE, Path(text), text)
    lowered = scheme.lower()
    if lowered == "sqlite":
        if not rest.startswith("/") or rest == "/":
            msg = f"a SQLite URL is sqlite:///FILE (three slashes), got {text!r}."
            raise VisibilityStoreError(msg, field="db", limit="sqlite:///FILE", actual=text)
        path = Path(rest[1:])
        return StoreLocation(SQLITE, path, str(path))
    if lowered in _PG_SCHEMES:
        parts = urllib.parse.urlsplit(text)
        shown = redact_url(text)
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            msg = f"a PostgreSQL URL names its database (postgresql://HOST:PORT/DB), got {shown}."
            raise VisibilityStoreError(
                msg, field="db", limit="postgresql://USER@HOST:PORT/DB", actual=shown
            )
        password = urllib.parse.unquote(parts.password) if parts.password else None
        if password is None:  # libpq also takes it as a parameter: ?password=...
            query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            given = [v for k, vs in query.items() if k.lower() == "password" for v in vs]
            password = given[-1] if given and given[-1] else None
        return StoreLocation(POSTGRESQL, None, shown, url=text, password=password)
    msg = (
        f"the store is a file path, sqlite:///FILE or postgresql://USER@HOST:PORT/DB; "
        f"{scheme}:// is not one of them."
    )
    raise VisibilityStoreError(msg, field="db", limit=("sqlite", "postgresql"), actual=scheme)


def scrub(text: str, location: StoreLocation) -> str:
    """``text`` with the location's password (and any URL password) hidden."""
    text = redact_url(text)
    if location.password:
        text = text.replace(location.password, "***")
        quoted = urllib.parse.quote(location.password, safe="")
        if quoted != location.password:
            text = text.replace(quoted, "***")
    return text


# -- translation ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def to_postgres(sql: str) -> str:
    """One statement of the store's SQL (SQLite's, ``?`` parameters) as PostgreSQL's.

    ``?`` outside quotes becomes ``%s`` and a literal ``%`` ``%%`` (psycopg's
    placeholders); ``BEGIN IMMEDIATE`` becomes ``BEGIN``; ``INSERT OR IGNORE`` becomes
    ``INSERT ... ON CONFLICT DO NOTHING``.

    Args:
        sql: The statement.

    Returns:
        The statement PostgreSQL runs.
    """
    stripped = sql.strip()
    if stripped.upper() == "BEGIN IMMEDIATE":
        return "BEGIN"
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
            out.append("%%" if char == "%" else char)
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    text = "".join(out)
    if re.match(r"\s*INSERT\s+OR\s+IGNORE\s+", text, re.I):
        text = re.sub(r"^\s*INSERT\s+OR\s+IGNORE\s+", "INSERT ", text, flags=re.I)
        text = text.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return text


_DDL_RULES: Final = (
    (
        re.compile(r"\bINTEGER PRIMARY KEY(?: AUTOINCREMENT)?\b(?!\s*\()"),
        "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\)\s*(?:WITHOUT ROWID|STRICT)(?:\s*,\s*(?:WITHOUT ROWID|STRICT))?\s*$"), ")"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"^\s*CREATE\s+VIEW\s+IF\s+NOT\s+EXISTS\b", re.I), "CREATE OR REPLACE VIEW"),
)
_COLUMN_TEXT: Final = re.compile(r"\bTEXT\b")
_TABLE_DDL: Final = re.compile(r"^\s*(?:CREATE\s+TABLE|ALTER\s+TABLE)\b", re.I)


def ddl_for(statement: str, dialect: str) -> str:
    """A migration statement (written for SQLite) in the dialect's DDL.

    On PostgreSQL: ``INTEGER PRIMARY KEY`` becomes an identity column, ``WITHOUT ROWID``
    and ``STRICT`` go, ``REAL`` becomes ``DOUBLE PRECISION``, ``BLOB`` ``BYTEA``,
    ``CREATE VIEW IF NOT EXISTS`` ``CREATE OR REPLACE VIEW``, and a ``TEXT`` column (in
    ``CREATE TABLE`` / ``ALTER TABLE``) is ``TEXT COLLATE "C"`` (bytewise order, as
    SQLite's ``BINARY``).

    Args:
        statement: The statement.
        dialect: ``sqlite`` or ``postgresql``.

    Returns:
        The statement to run.
    """
    if dialect != POSTGRESQL:
        return statement
    for pattern, replacement in _DDL_RULES:
        statement = pattern.sub(replacement, statement)
    if _TABLE_DDL.match(statement):
        statement = _COLUMN_TEXT.sub('TEXT COLLATE "C"', statement)
    return statement


PG_COMPAT: Final = (
    # SQLite sums a comparison as 0/1 (``SUM(status = 'measured')``): the same aggregate
    # on PostgreSQL, NULL over no row (as SQLite's SUM), NULL inputs skipped
    """CREATE FUNCTION dataforseo_sum_bool(bigint, boolean) RETURNS bigint
        LANGUAGE sql IMMUTABLE
        AS 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE COALESCE($1, 0) + $2::int END'""",
    "CREATE AGGREGATE sum(boolean) (SFUNC = dataforseo_sum_bool, STYPE = bigint)",
)
"""Created once per PostgreSQL database, before its first migration."""


# -- the PostgreSQL connection -------------------------------------------------------------


def _psycopg() -> Any:
    """The psycopg module, or an ImportError naming the extra that installs it."""
    try:
        import psycopg
    except ImportError as error:
        msg = (
            "a postgresql:// store needs the PostgreSQL driver psycopg 3: "
            f"pip install 'langchain-dataforseo[{POSTGRES_EXTRA}]'"
        )
        raise ImportError(msg) from error
    return psycopg


class PgConnection:
    """A psycopg 3 connection that speaks the store's SQL (see the module's docstring).

    Autocommit between the store's explicit transactions (``BEGIN`` ... ``COMMIT``);
    every server error is a :class:`DatabaseServerError`, its password scrubbed.

    Attributes:
        raw: The psycopg connection underneath.
    """

    def __init__(self, raw: psycopg.Connection[Any], location: StoreLocation) -> None:
        self.raw = raw
        self._location = location

    def __repr__(self) -> str:
        return f"PgConnection({self._location.shown!r})"

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        """Run one statement (see :class:`Connection`)."""
        pragma = _pragma(sql)
        if pragma is not None:
            return pragma
        query = to_postgres(sql)
        try:
            return self.raw.execute(query, tuple(parameters) if parameters else None)
        except _psycopg().Error as error:
            raise self.error(error) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        """Run one statement per parameter row (see :class:`Connection`)."""
        cursor = self.raw.cursor()
        try:
            cursor.executemany(to_postgres(sql), (tuple(p) for p in parameters))
        except _psycopg().Error as error:
            raise self.error(error) from None
        return cursor

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (or failed and not yet rolled back)."""
        status = self.raw.info.transaction_status
        return status.name in ("INTRANS", "INERROR")

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()

    def error(self, error: Exception) -> DatabaseServerError:
        """The store error of a server error, its text scrubbed of the password."""
        said = scrub(str(error).strip().replace("\n", " "), self._location)
        return DatabaseServerError(
            self._location.shown, "statement", f"refused a statement: {said}"
        )


class _Fixed:
    """A cursor over fixed rows (what ``PRAGMA`` reads answer on PostgreSQL)."""

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._rows = list(rows)
        self.rowcount = -1

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


def _pragma(sql: str) -> _Fixed | None:
    """What a SQLite ``PRAGMA`` does on PostgreSQL: ``synchronous`` is FULL, settings no-ops.

    PostgreSQL flushes every commit (``synchronous_commit`` on), which is what ``PRAGMA
    synchronous=FULL`` asks of SQLite; the durability settings of a server are its own.
    """
    text = sql.strip().rstrip(";")
    if text[:6].upper() != "PRAGMA":
        return None
    name, sep, _value = text[6:].strip().partition("=")
    name = name.strip().lower()
    if sep:
        return _Fixed([]) if name in ("synchronous", "journal_mode", "foreign_keys") else None
    if name == "synchronous":
        return _Fixed([(2,)])
    return None


def store_argument(text: str) -> str | Path:
    """The command line's ``--db``: a path, ``sqlite:///FILE`` or a ``postgresql://`` URL.

    Args:
        text: The option's value.

    Returns:
        A :class:`~pathlib.Path` for a SQLite store, the URL for a PostgreSQL one.

    Raises:
        argparse.ArgumentTypeError: For a URL of another scheme (the message says which).
    """
    try:
        location = parse_location(text)
    except VisibilityStoreError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return location.path if location.path is not None else location.url


def connect_postgres(location: StoreLocation, *, readonly: bool, timeout: float) -> PgConnection:
    """Open a PostgreSQL store's connection (autocommit, UTC, read-only when asked).

    Args:
        location: The database.
        readonly: Open a read-only session (``default_transaction_read_only``).
        timeout: Seconds to wait for the server, and for a lock held by another session.

    Returns:
        The connection.

    Raises:
        ImportError: psycopg is not installed (names the ``postgres`` extra).
        DatabaseServerError: The server cannot be reached or refuses the login.
    """
    psycopg = _psycopg()
    try:
        given = psycopg.conninfo.conninfo_to_dict(location.url)
        # the URL's own options (e.g. a search_path) come first; the store's settings after
        options = " ".join(
            part
            for part in (
                str(given.get("options") or ""),
                f"-c lock_timeout={int(timeout * 1000)} -c TimeZone=UTC",
                "-c default_transaction_read_only=on" if readonly else "",
            )
            if part
        )
        extra: dict[str, Any] = {"options": options, "client_encoding": "UTF8"}
        if "application_name" not in given:
            extra["application_name"] = "langchain-dataforseo"
        if "connect_timeout" not in given:
            extra["connect_timeout"] = max(1, int(timeout))
        raw = psycopg.connect(location.url, autocommit=True, **extra)
    except psycopg.Error as error:
        said = scrub(str(error).strip().replace("\n", " "), location)
        raise DatabaseServerError(location.shown, "connect", f"cannot be used: {said}") from None
    return PgConnection(raw, location)


def dialect_of(conn: Connection) -> str:
    """``postgresql`` for a :class:`PgConnection`, else ``sqlite``."""
    return POSTGRESQL if isinstance(conn, PgConnection) else SQLITE


def database_now(conn: Connection, dialect: str) -> datetime:
    """The time by the database's clock on PostgreSQL (one clock for every worker), else here."""
    if dialect == POSTGRESQL:
        value = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        return value.astimezone(UTC)  # type: ignore[no-any-return]
    return datetime.now(UTC)
