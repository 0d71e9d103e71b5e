"""The report's header: which engines ran Live in a Standard run, and a readable time."""

from __future__ import annotations

from langchain_dataforseo.visibility._report_data import method_label, when
from langchain_dataforseo.visibility._store import RunInfo


class Row:
    def __init__(self, engine: str) -> None:
        self.key = {"engine": engine}


def info(method: str) -> RunInfo:
    return RunInfo("r", "p", method, "2026-12-02T05:23:41.069+00:00", 1, 0, 0, 0.1)


def test_a_standard_run_names_the_engines_that_ran_live() -> None:
    rows = [Row("chat_gpt"), Row("perplexity")]
    assert method_label(info("standard"), rows) == "standard method (perplexity: live)"  # type: ignore[arg-type]
    assert method_label(info("standard"), [Row("chat_gpt")]) == "standard method"  # type: ignore[list-item]
    assert method_label(info("live"), rows) == "live method"  # type: ignore[arg-type]


def test_timestamps_read_as_minutes_in_utc() -> None:
    assert when("2026-12-02T05:23:41.069+00:00") == "2026-12-02 05:23 UTC"
    assert when("2026-12-02T06:23:41+01:00") == "2026-12-02 05:23 UTC"
    assert when("not a time") == "not a time"
