"""The command line's input checks: numbers, run ids, output paths, the environment.

Each check runs before the store is opened or anything is posted, and says the option,
the limit and the value. Argument types (:func:`non_negative`, :func:`positive`,
:func:`run_id_arg`) raise ``argparse.ArgumentTypeError`` (exit 2, with the usage); the
others raise :class:`DataForSEOInputError` or :class:`OutputFileError`.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from langchain_dataforseo._api.fields import ENV_LOGIN, ENV_PASSWORD
from langchain_dataforseo._api.redact import redact_url
from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility._errors import OutputFileError

MAX_RUN_ID_CHARS: Final = 200
"""Most characters in a run id (its task tags must stay within the API's 255)."""
POSTBACK_ENV: Final = "DATAFORSEO_POSTBACK_URL"


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"must be a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not math.isfinite(value):
        msg = f"must be a finite number, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def non_negative(text: str) -> float:
    """An argument that is a finite number >= 0 (``nan``, ``inf`` and -1 refused)."""
    value = _number(text)
    if value < 0:
        msg = f"must be >= 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def positive(text: str) -> float:
    """An argument that is a finite number > 0 (``0``, ``nan``, ``inf`` refused)."""
    value = _number(text)
    if value <= 0:
        msg = f"must be > 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def half_width(text: str) -> float:
    """An argument that is a precision target: a finite number in (0, 0.5]."""
    value = positive(text)
    if value > 0.5:
        msg = f"must be in (0, 0.5] (a half-width of a rate), got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def count(text: str) -> int:
    """An argument that is a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        msg = f"must be a whole number >= 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value < 1:
        msg = f"must be a whole number >= 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def run_id_problem(run_id: str) -> str | None:
    """What makes a run id impossible, or ``None``: checked before any look-up.

    Args:
        run_id: The run id as given.

    Returns:
        A sentence, or ``None`` for a possible id (1 to :data:`MAX_RUN_ID_CHARS`
        printable characters, no whitespace).
    """
    if not run_id:
        return "must not be empty"
    if len(run_id) > MAX_RUN_ID_CHARS:
        return f"must be at most {MAX_RUN_ID_CHARS} characters, got {len(run_id)}"
    for position, char in enumerate(run_id):
        if char.isspace() or not char.isprintable():
            return (
                f"must be printable characters without whitespace; character {position} is "
                f"{char!r} (U+{ord(char):04X})"
            )
    return None


def run_id_arg(text: str) -> str:
    """An argument that is a possible run id (see :func:`run_id_problem`)."""
    problem = run_id_problem(text)
    if problem is not None:
        shown = text if len(text) <= 40 else text[:40] + "..."
        msg = f"a run id {problem} (got {shown!r})"
        raise argparse.ArgumentTypeError(msg)
    return text


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(db: Path, outputs: Sequence[tuple[str, Path]]) -> None:
    """Refuse outputs that would overwrite one another or the store, or cannot be files.

    Args:
        db: The store (with its ``-wal`` and ``-shm`` files, never an output).
        outputs: ``(option, path)`` of each file the command will write.

    Raises:
        OutputFileError: Two options naming one file (after resolving links), an output
            that is the store, an existing directory, or a path under a regular file.
    """
    taken = [("--db", db)] + [
        (f"--db ({suffix})", db.with_name(db.name + suffix)) for suffix in ("-wal", "-shm")
    ]
    for option, path in outputs:
        for other, seen in taken:
            if _same(path, seen):
                msg = (
                    f"{option} {path} is the same file as {other} {seen}: one would "
                    "overwrite the other. Give each output its own file."
                )
                raise OutputFileError(msg, path=path, field=option)
        if path.is_dir():
            msg = f"{option} {path} is a directory; give a file name."
            raise OutputFileError(msg, path=path, field=option)
        for parent in path.parents:
            if parent.exists():
                if not parent.is_dir():
                    msg = f"{option} {path}: {parent} is a file, not a folder."
                    raise OutputFileError(msg, path=path, field=option)
                break
        taken.append((option, path))


@contextmanager
def writing(*outputs: tuple[str, Path]) -> Iterator[None]:
    """Turn an ``OSError`` while writing outputs into an :class:`OutputFileError`.

    Args:
        *outputs: ``(option, path)`` of the files written in the block; the error names
            the one the failing call was about, or all of them when the system did not
            say (a failed ``write`` names no file).

    Yields:
        Nothing: the block writes.

    Raises:
        OutputFileError: Naming the option, the file and the system's reason.
    """
    try:
        yield
    except OSError as error:
        failed = str(error.filename) if error.filename is not None else None
        named = [
            (o, p)
            for o, p in outputs
            if failed is not None and (str(p) == failed or str(p).startswith(failed))
        ][:1] or list(outputs)
        option, path = named[0]
        where = f" ({failed})" if failed not in (None, str(path)) else ""
        files = " / ".join(f"{o} {p}" for o, p in named)
        msg = f"cannot write {files}: {error.strerror or error}{where}."
        raise OutputFileError(msg, path=path, field=option) from error


def shown_url(url: str) -> str:
    """A callback URL safe to print: query values and userinfo hidden (see ``_redact``)."""
    try:
        return redact_url(url)
    except ValueError:
        return "(not shown: it cannot be parsed)"


def postback_url(env: Mapping[str, str]) -> str:
    """The receiver's URL from ``$DATAFORSEO_POSTBACK_URL``, checked; never printed whole.

    Args:
        env: The environment.

    Returns:
        The URL.

    Raises:
        DataForSEOInputError: Missing, or not an http(s) URL with a host; the message
            shows the URL with its query values and userinfo hidden.
    """
    url = env.get(POSTBACK_ENV, "")
    if not url:
        msg = f"--postback needs the receiver's URL in ${POSTBACK_ENV}."
        raise DataForSEOInputError(msg, field=POSTBACK_ENV)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or any(c.isspace() or not c.isprintable() for c in url)
    ):
        msg = (
            f"${POSTBACK_ENV}={shown_url(url)!r} is not an http:// or https:// URL with a "
            "host (query values and any password are hidden here)."
        )
        raise DataForSEOInputError(
            msg, field=POSTBACK_ENV, limit="http(s) URL", actual=shown_url(url)
        )
    return url


def check_credentials(env: Mapping[str, str]) -> None:
    """Refuse a run without credentials before anything else (an input error, not an outage).

    Args:
        env: The environment.

    Raises:
        DataForSEOInputError: ``DATAFORSEO_LOGIN`` or ``DATAFORSEO_PASSWORD`` not set.
    """
    missing = [name for name in (ENV_LOGIN, ENV_PASSWORD) if not env.get(name)]
    if missing:
        msg = (
            f"no DataForSEO credentials: set {' and '.join(missing)} (the API credentials "
            "from https://app.dataforseo.com/api-access); nothing was posted."
        )
        raise DataForSEOInputError(msg, field=missing[0], limit="set")


def has_credentials(env: Mapping[str, str]) -> bool:
    """Whether the environment carries the API credentials."""
    return all(env.get(name) for name in (ENV_LOGIN, ENV_PASSWORD))
