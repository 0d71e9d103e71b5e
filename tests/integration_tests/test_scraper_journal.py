"""The LLM Scraper's Standard submit with a journal: resumable by tag, nothing posted twice."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from langchain_dataforseo import DataForSEOClient
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import FileJournal, created_record, replay
from langchain_dataforseo._standard.queue import tagged
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.errors import DataForSEOTaskInDoubtError
from langchain_dataforseo.scraper import CollectSettings, DataForSEOLLMScraperLoader
from tests.lossy_transports import ALoseScraperPosts, LoseScraperPosts

LOGIN, PASSWORD = "j-login", "j-password"
FAST = CollectSettings(max_wait=20.0, poll_interval=0.05, first_wait=0.0)


def loader(emu: Emulator, lose: int = 0, **options: Any) -> DataForSEOLLMScraperLoader:
    client = DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=LoseScraperPosts(EmulatorTransport(emu), lose)),
    )
    return DataForSEOLLMScraperLoader(
        ["best crm", "cheap crm"],
        method="standard",
        client=client,
        collect_settings=FAST,
        **options,
    )


def posts(emu: Emulator) -> list[Any]:
    return [c["tag"] for c in emu.ledger()["charges"] if c["method"] == "llm_scraper/task_post"]


@pytest.fixture
def emu() -> Emulator:
    return Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, task_latency=0.05))


def test_a_rerun_with_the_journal_never_posts_a_known_tag_again(tmp_path, emu) -> None:
    path = tmp_path / "scraper.jsonl"
    first = loader(emu).submit(journal=path)
    assert all(isinstance(h, TaskHandle) for h in first)
    records = FileJournal(path).records()
    assert [(r["event"], r["family"]) for r in records] == [
        ("intent", "llm_scraper"),
        ("created", "llm_scraper"),
    ]
    again = loader(emu).submit(journal=path)
    assert [h.id for h in again if isinstance(h, TaskHandle)] == [
        h.id for h in first if isinstance(h, TaskHandle)
    ]
    assert len(posts(emu)) == 2  # posted once, not twice
    docs = loader(emu).load_handles([h for h in again if isinstance(h, TaskHandle)])
    assert [d.metadata["keyword"] for d in docs] == ["best crm", "cheap crm"]


def test_a_post_in_doubt_is_recovered_by_tag_not_reposted(tmp_path, emu) -> None:
    path = tmp_path / "scraper.jsonl"
    lost = loader(emu, lose=1).submit(journal=path)
    assert all(isinstance(item, DataForSEOTaskInDoubtError) for item in lost)
    assert len(posts(emu)) == 2  # the post was read and charged, its answer lost
    state = replay(FileJournal(path).records(), family="llm_scraper")
    assert len(state.in_doubt) == 2
    found = loader(emu).submit(journal=path, recover_wait=5.0)
    assert all(isinstance(h, TaskHandle) for h in found)
    assert len(posts(emu)) == 2  # found in tasks_ready by tag: nothing posted again
    assert sorted(h.tag for h in found if isinstance(h, TaskHandle)) == sorted(posts(emu))


def test_a_tag_in_doubt_not_found_stays_in_doubt_unless_reposting(tmp_path) -> None:
    # tasks that never finish are never listed by tasks_ready: the look-up cannot find them
    emu = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, task_latency=3600))
    path = tmp_path / "scraper.jsonl"
    loader(emu, lose=1).submit(journal=path)
    again = loader(emu).submit(journal=path, recover_wait=0.0)
    assert all(isinstance(item, DataForSEOTaskInDoubtError) for item in again)
    assert len(posts(emu)) == 2
    reposted = loader(emu).submit(journal=path, recover_wait=0.0, repost_in_doubt=True)
    assert all(isinstance(h, TaskHandle) for h in reposted)
    assert len(posts(emu)) == 4  # asked for: posted (and paid) again


def test_llm_responses_records_for_the_same_tags_are_not_taken_for_scraper_tasks(
    tmp_path, emu
) -> None:
    path = tmp_path / "shared.jsonl"
    journal = FileJournal(path)
    tags = [t["tag"] for t in tagged(loader(emu).tasks())]  # the tags submit gives them
    # an older LLM Responses record (no family) with handles for these very tags
    ids = [f"33333333-3333-3333-3333-33333333333{i}" for i in range(len(tags))]
    old = created_record(
        [TaskHandle(id=i, engine="chat_gpt", tag=t) for i, t in zip(ids, tags, strict=True)]
    )
    old.pop("family")
    journal.append(old)
    handles = loader(emu).submit(journal=path)
    assert all(isinstance(h, TaskHandle) for h in handles)
    assert not any(h.id.startswith("33333333") for h in handles if isinstance(h, TaskHandle))
    assert sorted(posts(emu)) == sorted(tags)  # the LLM Responses handles were other tasks


def async_loader(emu: Emulator, lose: int = 0) -> DataForSEOLLMScraperLoader:
    client = DataForSEOClient(
        login=LOGIN,
        password=PASSWORD,
        base_url="http://127.0.0.1:9",
        http_async_client=httpx.AsyncClient(
            transport=ALoseScraperPosts(AsyncEmulatorTransport(emu), lose)
        ),
    )
    return DataForSEOLLMScraperLoader(
        ["best crm", "cheap crm"], method="standard", client=client, collect_settings=FAST
    )


async def test_asubmit_journals_recovers_by_tag_and_never_posts_twice(tmp_path, emu) -> None:
    path = tmp_path / "scraper.jsonl"
    lost = await async_loader(emu, lose=1).asubmit(journal=path)
    assert all(isinstance(item, DataForSEOTaskInDoubtError) for item in lost)
    assert len(posts(emu)) == 2  # read and charged; the answer was lost
    found = await async_loader(emu).asubmit(journal=path, recover_wait=5.0)
    assert all(isinstance(h, TaskHandle) for h in found)
    assert len(posts(emu)) == 2  # recovered in tasks_ready by tag, not posted again
    again = await async_loader(emu).asubmit(journal=path)
    assert [h.id for h in again if isinstance(h, TaskHandle)] == [
        h.id for h in found if isinstance(h, TaskHandle)
    ]
    assert len(posts(emu)) == 2
    docs = await async_loader(emu).aload_handles([h for h in again if isinstance(h, TaskHandle)])
    assert sorted(d.metadata["keyword"] for d in docs) == ["best crm", "cheap crm"]
