"""One writer per journal file: an OS file lock held for a whole Standard submission.

Two processes submitting with the same journal at once would both read it before either
wrote an intent, and both post (and pay for) every task. So a submission that journals to
a :class:`~langchain_dataforseo._standard.journal.FileJournal` takes an exclusive lock
on a sidecar file (``<journal>.lock``, beside it) before it reads the journal, and keeps
it until its last record is written. A second submission (another process, or another
thread of the same one) is refused at once with
:class:`~langchain_dataforseo.errors.DataForSEOJournalLockedError`, which names the
holder: the lock file holds the holder's pid, host and start time as one JSON line.

The lock is ``fcntl.flock`` on POSIX and ``msvcrt.locking`` (one byte far past the
holder's line, so that line stays readable) on Windows; either is released by the OS when
the process dies, so a killed submission leaves no stale lock. The lock file itself is left
in place (deleting it would let a late opener lock a file nobody else sees). Where neither
call exists, the submission runs unlocked after a :class:`RuntimeWarning` that says so.
"""

from __future__ import annotations

import json
import os
import socket
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final

from langchain_dataforseo._standard.journal import FileJournal
from langchain_dataforseo.errors import DataForSEOJournalLockedError

LOCK_SUFFIX: Final = ".lock"
_WINDOWS_OFFSET: Final = 1 << 30
"""Where the Windows byte lock sits: past the holder's line, which others must read."""

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:  # Windows
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None  # type: ignore[assignment]


def lock_path(journal_path: str | os.PathLike[str]) -> Path:
    """The sidecar lock file of a journal file (``j.jsonl`` -> ``j.jsonl.lock``).

    Args:
        journal_path: The journal's path.

    Returns:
        The lock file's path.
    """
    path = Path(journal_path)
    return path.with_name(path.name + LOCK_SUFFIX)


def holder_record() -> dict[str, Any]:
    """Who holds the lock: this process's pid, host and start of the hold (UTC, ISO)."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": started}


def describe_holder(text: str) -> str:
    """The holder named in a lock file's text, in words (pure).

    Args:
        text: What the lock file holds (a JSON line, or anything left by another tool).

    Returns:
        ``"process 123 on host h (since 2026-01-01T00:00:00Z)"``, or a phrase saying the
        holder did not write its name yet.
    """
    try:
        data = json.loads(text.splitlines()[0]) if text.strip() else None
    except (ValueError, IndexError):
        data = None
    if not isinstance(data, Mapping) or "pid" not in data:
        return "another process (it has not written its pid yet)"
    return f"process {data.get('pid')} on host {data.get('host')} (since {data.get('started')})"


def _try_lock(file: IO[bytes]) -> bool | None:
    """Take the exclusive lock without waiting: True taken, False held, None unsupported."""
    if fcntl is not None:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        file.seek(_WINDOWS_OFFSET)
        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return None  # pragma: no cover - neither call exists


def _unlock(file: IO[bytes]) -> None:
    """Release the lock (closing the file would too; this says it first)."""
    if fcntl is not None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)
    elif msvcrt is not None:  # pragma: no cover - Windows
        file.seek(_WINDOWS_OFFSET)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)


def _refusal(journal_path: Path, lock: Path) -> DataForSEOJournalLockedError:
    """The error for a journal another submission holds, naming the holder."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    holder = describe_holder(text)
    msg = (
        f"Journal {journal_path} is in use by {holder}: another submission is posting with "
        f"it, and a second one at the same time would pay for its tasks twice. Wait for it "
        f"to end, then run again with the same journal (what it posted is not posted again). "
        f"The lock is {lock}."
    )
    return DataForSEOJournalLockedError(msg, path=str(journal_path), holder=holder)


@contextmanager
def hold_journal_file(journal_path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the journal's lock for the block, or refuse at once if someone else holds it.

    Args:
        journal_path: The journal file's path (its lock is :func:`lock_path`).

    Yields:
        Nothing; the lock is held until the block ends.

    Raises:
        DataForSEOJournalLockedError: When another submission (any process, or another
            open of the same path in this one) holds it.
    """
    journal = Path(journal_path)
    lock = lock_path(journal)
    file = os.fdopen(os.open(lock, os.O_RDWR | os.O_CREAT, 0o644), "r+b")
    try:
        taken = _try_lock(file)
        if taken is False:
            raise _refusal(journal, lock)
        if taken is None:  # pragma: no cover - no locking call on this platform
            msg = f"Journal {journal}: this platform has no file lock; it is not protected."
            warnings.warn(msg, RuntimeWarning, stacklevel=3)
        _write_holder(file)
        try:
            yield
        finally:
            file.seek(0)
            file.truncate()
            file.flush()
            if taken:
                _unlock(file)
    finally:
        file.close()


def _write_holder(file: IO[bytes]) -> None:
    """Replace the lock file's content with this holder's line."""
    file.seek(0)
    file.truncate()
    file.write(json.dumps(holder_record(), sort_keys=True).encode("utf-8") + b"\n")
    file.flush()


@contextmanager
def hold_journal(journal: object) -> Iterator[None]:
    """Lock ``journal`` for the block when it is a file journal; other journals pass.

    A :class:`~langchain_dataforseo._standard.journal.FileJournal` (what a path becomes)
    is locked with :func:`hold_journal_file`; any other ``SubmitJournal`` (a database,
    the visibility store) keeps its own writers apart.

    Args:
        journal: The submission's journal, or ``None``.

    Yields:
        Nothing.
    """
    if not isinstance(journal, FileJournal):
        yield
        return
    with hold_journal_file(journal.path):
        yield
