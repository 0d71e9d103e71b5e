"""The journal file lock: one submission at a time per journal file, the second refused.

The lock itself (taken, refused while held, released, named holder), and every Standard
submission that journals to a file (the chat model's and the LLM Scraper's, sync and
async) refused without a request while another submission holds its journal.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_dataforseo import ChatDataForSEO, DataForSEOClient, DataForSEOJournalLockedError
from langchain_dataforseo._standard.journal import (
    FileJournal,
    describe_holder,
    hold_journal,
    hold_journal_file,
    lock_path,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.scraper import CollectSettings, DataForSEOLLMScraperLoader

AUTH = {"login": "lock-login", "password": "lock-password"}


def test_the_lock_file_sits_beside_the_journal() -> None:
    assert lock_path(Path("/x/j.jsonl")) == Path("/x/j.jsonl.lock")


def test_a_held_journal_refuses_a_second_holder_and_names_the_first(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    with hold_journal_file(journal):
        held = json.loads(lock_path(journal).read_text(encoding="utf-8"))
        assert held["pid"] == os.getpid()
        assert held["host"] == socket.gethostname()
        assert held["started"].endswith("Z")
        with pytest.raises(DataForSEOJournalLockedError) as caught, hold_journal_file(journal):
            pytest.fail("a second holder got the lock")  # pragma: no cover
    error = caught.value
    assert f"process {os.getpid()} on host {socket.gethostname()}" in str(error)
    assert str(journal) in str(error)
    assert error.path == str(journal)
    assert error.holder.startswith(f"process {os.getpid()}")
    assert error.is_retryable is False


def test_the_lock_is_released_when_the_block_ends_even_by_an_error(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    with pytest.raises(KeyError), hold_journal_file(journal):
        raise KeyError("boom")
    with hold_journal_file(journal):  # free again
        pass
    assert lock_path(journal).exists()  # left in place (see the module docstring)
    assert lock_path(journal).read_text(encoding="utf-8") == ""  # no holder named


def test_only_file_journals_are_locked(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "j.jsonl")

    class Memory:
        def append(self, record: Any) -> None:
            """Keep nothing."""

        def records(self) -> list[dict[str, Any]]:
            return []

    with hold_journal(journal):
        refused = pytest.raises(DataForSEOJournalLockedError)
        with refused, hold_journal(FileJournal(tmp_path / "j.jsonl")):
            pass  # pragma: no cover
        with hold_journal(Memory()), hold_journal(None):
            pass
    assert not lock_path(tmp_path / "other.jsonl").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"pid": 12, "host": "h", "started": "2026-01-01T00:00:00Z"}\n', "process 12 on host h"),
        ("", "has not written its pid yet"),
        ("not json", "has not written its pid yet"),
        ("[1, 2]", "has not written its pid yet"),
        ('{"host": "h"}', "has not written its pid yet"),
    ],
)
def test_describe_holder_reads_what_the_holder_wrote(text: str, expected: str) -> None:
    assert expected in describe_holder(text)


# -- every file-journaled submission takes it ----------------------------------------------


def counting_emulator() -> Emulator:
    return Emulator(EmulatorConfig(**AUTH, task_latency=0.0))


def chat(emu: Emulator) -> ChatDataForSEO:
    return ChatDataForSEO(
        **AUTH,
        base_url="http://127.0.0.1",
        method="standard",
        validate_model=False,
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    )


def scraper(emu: Emulator) -> DataForSEOLLMScraperLoader:
    client = DataForSEOClient(
        **AUTH,
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
    )
    settings = CollectSettings(max_wait=5.0, poll_interval=0.05, first_wait=0.0)
    return DataForSEOLLMScraperLoader(
        ["best crm"], method="standard", client=client, collect_settings=settings
    )


def submit(emu: Emulator, kind: str, journal: Path) -> Any:
    if kind == "chat":
        return chat(emu).submit(["q1", "q2"], journal=str(journal))
    if kind == "achat":
        return asyncio.run(chat(emu).asubmit(["q1", "q2"], journal=str(journal)))
    if kind == "scraper":
        return scraper(emu).submit(journal=journal)
    return asyncio.run(scraper(emu).asubmit(journal=journal))


@pytest.mark.parametrize("kind", ["chat", "achat", "scraper", "ascraper"])
def test_a_submission_with_a_held_journal_is_refused_before_any_request(
    tmp_path: Path, kind: str
) -> None:
    emu = counting_emulator()
    journal = tmp_path / "j.jsonl"
    refused = pytest.raises(DataForSEOJournalLockedError, match=f"process {os.getpid()}")
    with hold_journal_file(journal), refused:  # another submission is posting with it
        submit(emu, kind, journal)
    assert emu.ledger()["charges"] == []
    assert not journal.exists()  # nothing was written by the refused submission
    handles = submit(emu, kind, journal)  # once free, the same call goes through
    assert len(emu.ledger()["charges"]) == len(handles)
    with hold_journal_file(journal):  # and the submission let go of it when it ended
        pass


def test_a_refusal_waits_a_moment_for_the_holder_to_write_its_pid(tmp_path) -> None:
    import json
    import threading

    from langchain_dataforseo._standard.journal import _refusal

    journal = tmp_path / "j.jsonl"
    lock = tmp_path / "j.jsonl.lock"
    lock.write_text("")  # the holder has the lock, and has not written its pid yet

    def holder_writes() -> None:
        lock.write_text(json.dumps({"pid": 4321, "host": "h", "started": "now"}) + "\n")

    timer = threading.Timer(0.2, holder_writes)
    timer.start()
    try:
        error = _refusal(journal, lock)
    finally:
        timer.cancel()
    assert error.holder.startswith("process 4321 on host h")
