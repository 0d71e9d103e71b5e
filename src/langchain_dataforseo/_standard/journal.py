"""The submission journal: what is about to be posted, and what came back, chunk by chunk.

A Standard ``task_post`` is paid as soon as the API reads it, so ``submit`` writes the
chunk's tags *before* posting (an ``intent``) and the outcome as soon as it is known
(``created`` handles, ``refused`` tags the API did not create, or ``in_doubt`` tags whose
answer was lost). Replaying the records tells a re-run which tags already have a handle
(collect, never post again), which are in doubt (look them up by tag) and which are free
to post.

:class:`SubmitJournal` is the interface: two methods, so any store (a database, the
visibility store for panels) can hold the records. :class:`FileJournal` is the one used
for a path: JSON lines, appended, each flushed and ``fsync``-ed before going on, and
:func:`hold_journal` locks it (one writer per journal file, see below).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Protocol, runtime_checkable

from langchain_dataforseo._api.fields import LLM_RESPONSES as LLM_RESPONSES
from langchain_dataforseo._api.fields import LLM_SCRAPER as LLM_SCRAPER
from langchain_dataforseo._standard.handle import TaskHandle, check_task_id
from langchain_dataforseo.errors import DataForSEOJournalLockedError

JOURNAL_VERSION: Final = 1
# The family of a record is its product (``_constants``): ``llm_responses`` (and records
# without one) or ``llm_scraper``.
FAMILIES: Final = (LLM_RESPONSES, LLM_SCRAPER)
STOPPED_BEFORE_ANSWER: Final = (
    "posted (or about to be) when the process stopped; the answer was never recorded"
)


@runtime_checkable
class SubmitJournal(Protocol):
    """Where ``submit`` records its intents and outcomes (append-only).

    Implementations must keep records in the order appended and make each one durable
    before :meth:`append` returns: a record written just before a process dies must be
    read back by the next run.
    """

    def append(self, record: Mapping[str, Any]) -> None:
        """Store one record durably (a JSON-serialisable dict)."""

    def records(self) -> list[dict[str, Any]]:
        """Every record stored so far, in order."""


class FileJournal:
    """A :class:`SubmitJournal` in a JSON-lines file, one record a line, fsync per record.

    A torn last line (the process was killed while writing it) is ignored: the record it
    held was not complete, so nothing after it happened. A bad line anywhere else is an
    error (the file is not a journal, or was edited).

    Args:
        path: The file; created on the first record.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FileJournal({str(self.path)!r})"

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one record and ``fsync`` it (and the directory, when the file is new).

        Args:
            record: A JSON-serialisable dict.
        """
        line = json.dumps(dict(record), sort_keys=True, separators=(",", ":"))
        with self._lock:
            new = not self.path.exists()
            if not new:
                self._drop_torn_tail()
            with self.path.open("ab") as file:
                file.write(line.encode("utf-8") + b"\n")
                file.flush()
                os.fsync(file.fileno())
            if new:
                _fsync_directory(self.path.parent)

    def _drop_torn_tail(self) -> None:
        """Cut an incomplete last line (a write killed half-way): it never counted."""
        with self.path.open("r+b") as file:
            size = file.seek(0, os.SEEK_END)
            if size == 0:
                return
            file.seek(size - 1)
            if file.read(1) == b"\n":
                return
            file.seek(0)
            file.truncate(file.read().rfind(b"\n") + 1)
            file.flush()
            os.fsync(file.fileno())

    def records(self) -> list[dict[str, Any]]:
        """Read every complete record.

        Returns:
            The records, in order (empty when the file does not exist).

        Raises:
            ValueError: When a line other than the last is not a JSON object.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        lines = text.split("\n")
        out: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                out.append(record)
                continue
            if number == len(lines):  # no newline after it: torn by a kill
                continue
            msg = f"Journal {self.path}: line {number} is not a journal record."
            raise ValueError(msg)
        return out


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def open_journal(journal: str | os.PathLike[str] | SubmitJournal) -> SubmitJournal:
    """A journal from what the caller named: a path (a :class:`FileJournal`) or a journal.

    Args:
        journal: A file path, or an object with ``append`` and ``records``.

    Returns:
        The journal.
    """
    if isinstance(journal, (str, os.PathLike)):
        return FileJournal(journal)
    return journal


# -- records ------------------------------------------------------------------------------
#
# Every record names its ``family``: the API whose tasks it is about (``llm_responses`` or
# ``llm_scraper``). One journal may hold both (the visibility store does), and the same tag
# means another task in each, so :func:`replay` reads one family only. A record without a
# family was written before families existed, by the LLM Responses submit: it reads as
# ``llm_responses``.


def record_family(record: Mapping[str, Any]) -> str:
    """The family of a record: its ``family`` field, ``llm_responses`` when it has none.

    Args:
        record: A journal record.

    Returns:
        ``llm_responses`` or ``llm_scraper`` (or whatever else the record names).
    """
    family = record.get("family")
    return family if isinstance(family, str) else LLM_RESPONSES


def intent_record(
    engine: str, tags: Sequence[str], *, family: str = LLM_RESPONSES
) -> dict[str, Any]:
    """The tags of one chunk, written before it is posted."""
    return {
        "v": JOURNAL_VERSION,
        "event": "intent",
        "family": family,
        "engine": engine,
        "tags": list(tags),
    }


def created_record(
    handles: Iterable[TaskHandle], *, family: str = LLM_RESPONSES, recovered: bool = False
) -> dict[str, Any]:
    """Handles of created (or recovered) tasks, written as soon as they are known.

    ``recovered`` marks handles found by tag rather than given by our own post: a reader
    may check such a task's echoed request before taking its answer as ours.
    """
    record = {
        "v": JOURNAL_VERSION,
        "event": "created",
        "family": family,
        "handles": [h.to_dict() for h in handles],
    }
    if recovered:
        record["recovered"] = True
    return record


def in_doubt_record(
    engine: str, tags: Sequence[str], reason: str, *, family: str = LLM_RESPONSES
) -> dict[str, Any]:
    """Tags whose ``task_post`` got no readable answer: they may exist and be paid."""
    return {
        "v": JOURNAL_VERSION,
        "event": "in_doubt",
        "family": family,
        "engine": engine,
        "tags": list(tags),
        "reason": reason,
    }


def refused_record(
    engine: str, tags: Sequence[str], reason: str, *, family: str = LLM_RESPONSES
) -> dict[str, Any]:
    """Tags the API answered it did not create (nothing paid: free to post again)."""
    return {
        "v": JOURNAL_VERSION,
        "event": "refused",
        "family": family,
        "engine": engine,
        "tags": list(tags),
        "reason": reason,
    }


@dataclass
class JournalState:
    """What the records say, by tag.

    Attributes:
        handles: Tags with a known task (never post them again).
        in_doubt: Tags that may have been created, with why; not to be posted again
            unless the caller asks for it.
        engines: The engine each tag was last recorded for.
    """

    handles: dict[str, TaskHandle] = field(default_factory=dict)
    in_doubt: dict[str, str] = field(default_factory=dict)
    engines: dict[str, str] = field(default_factory=dict)


def replay(records: Iterable[Mapping[str, Any]], *, family: str = LLM_RESPONSES) -> JournalState:
    """Fold the records into what is known per tag (a known handle is never forgotten).

    Only the records of ``family`` are read (:func:`record_family`: a record without one
    is an LLM Responses record), so LLM Scraper and LLM Responses tasks sharing a journal
    are never taken for each other.

    Args:
        records: The journal's records, in order.
        family: ``llm_responses`` (default) or ``llm_scraper``.

    Returns:
        The state.

    Raises:
        DataForSEOInputError: When a recorded handle has an id that is not a task id.
        ValueError: When a recorded handle lacks ``id`` or ``engine``.
    """
    state = JournalState()
    for record in records:
        if record_family(record) != family:
            continue
        event = record.get("event")
        tags = [t for t in record.get("tags") or [] if isinstance(t, str)]
        if event == "created":
            for data in record.get("handles") or []:
                task = TaskHandle.from_dict(data)
                check_task_id(task.id)
                if task.tag is not None:
                    state.handles[task.tag] = task
                    state.in_doubt.pop(task.tag, None)
                    state.engines[task.tag] = task.engine
            continue
        fresh = [t for t in tags if t not in state.handles]
        if isinstance(record.get("engine"), str):
            state.engines.update(dict.fromkeys(fresh, record["engine"]))
        if event == "intent":
            state.in_doubt.update(dict.fromkeys(fresh, STOPPED_BEFORE_ANSWER))
        elif event == "in_doubt":
            reason = str(record.get("reason") or STOPPED_BEFORE_ANSWER)
            state.in_doubt.update(dict.fromkeys(fresh, reason))
        elif event == "refused":
            for tag in fresh:
                state.in_doubt.pop(tag, None)
    return state


# --- The journal's lock ---
# One writer per journal file: an OS file lock held for a whole Standard submission.
#
# Two processes submitting with the same journal at once would both read it before either
# wrote an intent, and both post (and pay for) every task. So a submission that journals to
# a :class:`~langchain_dataforseo._standard.journal.FileJournal` takes an exclusive lock
# on a sidecar file (``<journal>.lock``, beside it) before it reads the journal, and keeps
# it until its last record is written. A second submission (another process, or another
# thread of the same one) is refused at once with
# :class:`~langchain_dataforseo.errors.DataForSEOJournalLockedError`, which names the
# holder: the lock file holds the holder's pid, host and start time as one JSON line.
#
# The lock is ``fcntl.flock`` on POSIX and ``msvcrt.locking`` (one byte far past the
# holder's line, so that line stays readable) on Windows; either is released by the OS when
# the process dies, so a killed submission leaves no stale lock. The lock file itself is left
# in place (deleting it would let a late opener lock a file nobody else sees). Where neither
# call exists, the submission runs unlocked after a :class:`RuntimeWarning` that says so.


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


HOLDER_READS: Final = 20
HOLDER_READ_INTERVAL_SECONDS: Final = 0.05
"""A refusal reads the lock file up to 20 times, 50 ms apart (1 s), for the holder's pid."""


def _refusal(journal_path: Path, lock: Path) -> DataForSEOJournalLockedError:
    """The error for a journal another submission holds, naming the holder."""
    unnamed = holder = describe_holder("")
    # the holder writes its pid right after it takes the lock: give it a moment to appear
    for read in range(HOLDER_READS):
        if read:
            time.sleep(HOLDER_READ_INTERVAL_SECONDS)
        try:
            text = lock.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        holder = describe_holder(text)
        if holder != unnamed:
            break
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
