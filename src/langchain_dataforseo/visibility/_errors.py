"""Errors of the visibility panels (subclasses of the package's input error)."""

from __future__ import annotations

from pathlib import Path

from langchain_dataforseo.errors import DataForSEOInputError


class PanelFileError(DataForSEOInputError):
    """A panel file that cannot be read or is invalid.

    Attributes:
        path: The file.
        line: The line concerned (1-based), when known.
        field: The field concerned, in dotted form (``engines.chat_gpt``,
            ``prompts[2]``), or ``"file"`` for a syntax error.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path,
        field: str,
        line: int | None = None,
        limit: object = None,
        actual: object = None,
    ) -> None:
        where = f"{path}" + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {message}", field=field, limit=limit, actual=actual)
        self.path = Path(path)
        self.line = line


class VisibilityStoreError(DataForSEOInputError):
    """A store that cannot be used: missing file, unknown run id, newer schema, bad state."""


class DatabaseFileError(VisibilityStoreError):
    """A store file that cannot be used: not a database, damaged, read-only, a full disk...

    Attributes:
        path: The database file.
        reason: What is wrong, one word: ``directory``, ``not_a_database``, ``damaged``,
            ``truncated``, ``read_only``, ``cannot_open``, ``disk_full``, ``locked``,
            ``io_error``, ``newer_schema`` or ``sqlite`` (anything else SQLite said).
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        said: str,
        *,
        limit: object = None,
        actual: object = None,
    ) -> None:
        super().__init__(
            f"the database {path} {said}.",
            field="db",
            limit=limit,
            actual=str(path) if actual is None else actual,
        )
        self.path = Path(path)
        self.reason = reason


class DatabaseServerError(VisibilityStoreError):
    """A PostgreSQL store that cannot be used: unreachable, refused, or a failed statement.

    The message names the database by its URL with the password hidden (``***``) and
    never repeats the password.

    Attributes:
        url: The database URL, password hidden.
        reason: ``connect`` (the server could not be reached or refused the login),
            ``missing_driver``, ``not_a_store``, ``newer_schema``, ``read_only`` or
            ``statement`` (a statement failed).
    """

    def __init__(
        self, url: str, reason: str, said: str, *, limit: object = None, actual: object = None
    ) -> None:
        super().__init__(
            f"the database {url} {said}.",
            field="db",
            limit=limit,
            actual=url if actual is None else actual,
        )
        self.url = url
        self.reason = reason


class OutputFileError(DataForSEOInputError):
    """An output the command line cannot write: a directory, under a file, a full disk...

    Attributes:
        path: The output file.
        field: The option that named it (``--html``, ``--answers``...).
    """

    def __init__(self, message: str, *, path: str | Path, field: str) -> None:
        super().__init__(message, field=field, actual=str(path))
        self.path = Path(path)


class LeaseLostError(VisibilityStoreError):
    """A chunk's tasks are held by another driver of the run (or were posted by it).

    Raised by a store journal before the chunk is posted: nothing was sent; the driver
    leaves the chunk to the other.
    """
