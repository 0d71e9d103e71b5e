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
