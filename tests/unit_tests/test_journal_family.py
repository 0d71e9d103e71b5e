"""Journal records name their family: LLM Scraper and LLM Responses records never mix."""

from __future__ import annotations

from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import (
    LLM_RESPONSES,
    LLM_SCRAPER,
    FileJournal,
    created_record,
    in_doubt_record,
    intent_record,
    record_family,
    refused_record,
    replay,
)
from langchain_dataforseo._standard.protocol import ChunkLog

ID1 = "11111111-1111-1111-1111-111111111111"
ID2 = "22222222-2222-2222-2222-222222222222"


def test_every_record_names_its_family_llm_responses_by_default() -> None:
    handle = TaskHandle(id=ID1, engine="chat_gpt", tag="a")
    for record in (
        intent_record("chat_gpt", ["a"]),
        created_record([handle]),
        in_doubt_record("chat_gpt", ["a"], "lost"),
        refused_record("chat_gpt", ["a"], "40501"),
    ):
        assert record["family"] == LLM_RESPONSES
    assert created_record([handle], family=LLM_SCRAPER)["family"] == LLM_SCRAPER


def test_a_record_without_a_family_reads_as_llm_responses() -> None:
    old = {"v": 1, "event": "created", "handles": [{"id": ID1, "engine": "chat_gpt", "tag": "a"}]}
    assert record_family(old) == LLM_RESPONSES
    assert set(replay([old]).handles) == {"a"}
    assert replay([old], family=LLM_SCRAPER).handles == {}


def test_replay_reads_only_its_own_family_for_the_same_tag(tmp_path) -> None:
    journal = FileJournal(tmp_path / "j.jsonl")
    responses = ChunkLog(journal)
    scraper = ChunkLog(journal, LLM_SCRAPER)
    chunk = [{"tag": "same"}, {"tag": "other"}]
    responses.before("chat_gpt", chunk)
    responses.after(
        "chat_gpt",
        chunk,
        [TaskHandle(id=ID1, engine="chat_gpt", tag="same"), RuntimeError("refused")],
    )
    scraper.before("chat_gpt", chunk[:1])  # the scraper's task with that tag: in doubt
    records = journal.records()
    assert [r["family"] for r in records] == [LLM_RESPONSES] * 3 + [LLM_SCRAPER]
    api = replay(records)
    app = replay(records, family=LLM_SCRAPER)
    assert api.handles["same"].id == ID1
    assert "same" not in api.in_doubt
    assert app.handles == {}
    assert set(app.in_doubt) == {"same"}
    scraper.recovered([TaskHandle(id=ID2, engine="chat_gpt", tag="same")])
    assert replay(journal.records(), family=LLM_SCRAPER).handles["same"].id == ID2
    assert replay(journal.records()).handles["same"].id == ID1
