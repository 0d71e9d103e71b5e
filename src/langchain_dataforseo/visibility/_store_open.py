"""What can be wrong with a store's file, said before (and while) SQLite opens it.

A directory, a file that is not a SQLite database, one cut short, one the process cannot
write, one written by a newer schema, a full disk: each becomes a
:class:`DatabaseFileError` naming the file and the problem, never a ``sqlite3`` traceback.
The header checks are pure functions of the file's first 100 bytes and its size.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Final

from langchain_dataforseo.visibility._errors import DatabaseFileError

HEADER_BYTES: Final = 100
"""The size of SQLite's database header."""
_MAGIC: Final = b"SQLite format 3\x00"

_REASONS: Final = (
    # (prefix of sqlite3's error name, reason, what to say)
    ("SQLITE_NOTADB", "not_a_database", "is not a SQLite database (or is encrypted)"),
    ("SQLITE_CORRUPT", "damaged", "is damaged (the database image is malformed)"),
    ("SQLITE_FULL", "disk_full", "cannot be written: the disk is full"),
    (
        "SQLITE_READONLY",
        "read_only",
        "cannot be written: the file, or its folder (which holds the -wal and -shm files "
        "of a WAL database), is read-only",
    ),
    (
        "SQLITE_CANTOPEN",
        "cannot_open",
        "cannot be opened (no permission on the file or its folder, or a path that is "
        "not a regular file)",
    ),
    ("SQLITE_BUSY", "locked", "is locked by another process (waited for the timeout)"),
    ("SQLITE_LOCKED", "locked", "is locked by another connection"),
    ("SQLITE_IOERR", "io_error", "could not be read or written (an I/O error)"),
    ("SQLITE_PERM", "read_only", "cannot be accessed: permission denied"),
)


def header_problem(header: bytes, size: int, *, wal_in_use: bool) -> tuple[str, str] | None:
    """What the header of a would-be database says is wrong, or ``None``.

    Args:
        header: The file's first :data:`HEADER_BYTES` bytes (fewer for a short file).
        size: The file's size in bytes.
        wal_in_use: Whether a non-empty ``-wal`` file sits next to it (then the database
            may legitimately be longer than the main file, and its size is not checked).

    Returns:
        ``(reason, message)``: ``not_a_database`` or ``truncated``; ``None`` when the
        header is sound. An empty file is sound (SQLite makes it a new database).
    """
    if size == 0:
        return None
    if size < HEADER_BYTES or not header.startswith(_MAGIC):
        return "not_a_database", "is not a SQLite database (no 'SQLite format 3' header)"
    raw_page = int.from_bytes(header[16:18], "big")
    page_size = 65536 if raw_page == 1 else raw_page
    if page_size < 512 or page_size & (page_size - 1):
        return "damaged", f"is damaged: its header gives a page size of {raw_page}"
    pages = int.from_bytes(header[28:32], "big")
    counter_valid = header[24:28] == header[92:96]
    if not wal_in_use and counter_valid and pages and size < pages * page_size:
        return (
            "truncated",
            f"is truncated: its header says {pages} pages of {page_size} bytes "
            f"({pages * page_size} bytes), the file has {size} bytes",
        )
    return None


def check_file(path: Path, *, readonly: bool) -> None:
    """Refuse a path that cannot hold this store, before SQLite opens it.

    Args:
        path: The database file (it may not exist yet when not ``readonly``).
        readonly: Whether the store is opened for reading only.

    Raises:
        DatabaseFileError: A directory, not a database, truncated, or a file (or folder)
            this process cannot write when it must.
    """
    if path.is_dir():
        raise DatabaseFileError(path, "directory", "is a directory, not a database file")
    if not path.exists():
        return
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            header = file.read(HEADER_BYTES)
    except OSError as error:
        raise DatabaseFileError(
            path, "cannot_open", f"cannot be read: {error.strerror or error}"
        ) from error
    wal = path.with_name(path.name + "-wal")
    wal_in_use = wal.exists() and wal.stat().st_size > 0
    problem = header_problem(header, size, wal_in_use=wal_in_use)
    if problem is not None:
        raise DatabaseFileError(path, *problem)
    if not readonly and not os.access(path, os.W_OK):
        raise DatabaseFileError(path, "read_only", "is read-only: this command writes to the store")


def store_error(path: Path, error: sqlite3.Error) -> DatabaseFileError:
    """The :class:`DatabaseFileError` of an error SQLite raised on the store's file.

    Args:
        path: The database file.
        error: What ``sqlite3`` raised.

    Returns:
        The error to raise (``from error``), its reason from SQLite's error name.
    """
    name = getattr(error, "sqlite_errorname", "") or ""
    for prefix, reason, said in _REASONS:
        if name.startswith(prefix):
            return DatabaseFileError(path, reason, f"{said}; SQLite says: {error}")
    text = str(error).lower()
    if "malformed" in text:
        return DatabaseFileError(path, "damaged", f"is damaged ({error})")
    if "not a database" in text:
        return DatabaseFileError(path, "not_a_database", f"is not a SQLite database ({error})")
    if "full" in text:
        said = f"cannot be written: the disk is full ({error})"
        return DatabaseFileError(path, "disk_full", said)
    return DatabaseFileError(path, "sqlite", f"cannot be used ({error})")


def newer_schema(path: Path, version: int, supported: int) -> DatabaseFileError:
    """The error for a database written by a newer version of the package.

    Args:
        path: The database file.
        version: Its ``user_version``.
        supported: The newest version this code reads.

    Returns:
        The error to raise.
    """
    return DatabaseFileError(
        path,
        "newer_schema",
        f"has schema version {version}; this version of langchain-dataforseo reads up to "
        f"{supported}. Upgrade the package",
        limit=supported,
        actual=version,
    )
