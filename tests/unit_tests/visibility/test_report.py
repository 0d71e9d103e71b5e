import csv
import io
import json
import re
import sys

import pytest

from langchain_dataforseo.visibility import (
    Panel,
    VisibilityStore,
    answers_csv,
    answers_json,
    metrics,
    metrics_csv,
    metrics_json,
    report,
    to_pandas,
)

from .builders import raw_task
from .test_metrics import store  # noqa: F401 - the fixture


def test_the_html_report_is_self_contained_with_charts_and_tables(store, tmp_path):  # noqa: F811
    html_path, md_path = report(store, "r", tmp_path / "out" / "report.html")
    page = html_path.read_text(encoding="utf-8")
    assert md_path == tmp_path / "out" / "report.md"
    assert page.startswith("<!DOCTYPE html>")
    # share of voice, mention-rate intervals, top domains, and one trend chart per engine
    assert page.count("<svg") == 5
    assert "Share of voice per engine" in page
    assert "Top cited domains" in page
    assert "Mention rate per engine (95% interval, answer level)" in page
    assert "in { } the prompt-level interval" in page  # which interval each number carries
    # nothing loaded from elsewhere: no scripts, stylesheets, images or fonts by URL
    assert not re.search(r"<(script|link|img)\b", page)
    assert "url(" not in page
    assert "max-width:1180px" in page  # fits a 1366 px screen
    # the numbers: HubSpot on chat_gpt 2/4 with its interval, counts apart
    assert "50.0% [15.0%–85.0%] (2/4)" in page
    assert "<td>chat_gpt</td><td>4</td><td>1</td><td>1</td><td>3</td><td>3</td>" in page
    assert "g2.com" in page


def test_the_report_escapes_brand_names_and_text(tmp_path):
    panel = Panel("<i>p</i>", ["q"], "<script>x</script>", engines={"chat_gpt": "m"}, samples=1)
    with VisibilityStore(tmp_path / "v.db") as s:
        s.create_run(panel, run_id="e")
        run = s.create_run(panel, run_id="e")
        s.record_result(run, s.tag_of(run, 0, "chat_gpt", 0), raw_task("hi"))
        page = report(s, "e", tmp_path / "r.html")[0].read_text()
    assert "<script" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<i>p</i>" not in page


def test_the_markdown_summary(store, tmp_path):  # noqa: F811
    _, md = report(store, "r", tmp_path / "r.html", markdown=tmp_path / "summary.md")
    text = md.read_text()
    assert text.startswith("# AI visibility: crm")
    # share of voice: HubSpot's 2 of the 6 tracked-brand mentions on chat_gpt
    assert "| HubSpot (brand) | 50.0% [15.0%–85.0%] (2/4) | 33.3% [" in text
    assert "in { } the prompt-level interval" in text
    assert "## Top cited domains" in text
    assert "1 failed, 1 pending" in text or "1 pending" in text


def test_metrics_exports(store):  # noqa: F811
    rows = metrics(store, "r")
    data = json.loads(metrics_json(rows))
    assert data[0]["brands"]["HubSpot"]["mention_rate"]["successes"] == 2
    records = list(csv.DictReader(io.StringIO(metrics_csv(rows))))
    assert len(records) == 2 * 3  # engines x tracked brands
    first = records[0]
    assert (first["engine"], first["brand"], first["mention_rate"]) == (
        "chat_gpt",
        "HubSpot",
        "0.5",
    )
    assert first["is_panel_brand"] == "True"
    assert records[2]["citation_rate"] == ""  # Pipedrive has no domains: undefined


def test_answer_exports(store):  # noqa: F811
    records = list(csv.DictReader(io.StringIO(answers_csv(store, "r"))))
    assert len(records) == 12
    first = records[0]
    assert first["brands"] == "HubSpot:1;Salesforce:2"
    assert first["cited_domains"] == "hubspot.com;g2.com"
    assert first["text"] == "HubSpot CRM leads, then Salesforce."
    statuses = [r["status"] for r in records if r["engine"] == "chat_gpt"]
    assert statuses == ["measured"] * 4 + ["failed", "pending"]
    assert json.loads(answers_json(store, "r"))[4]["error_code"] == 50301


def test_to_pandas_says_what_to_install(store, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes "import pandas" fail
    with pytest.raises(ImportError, match="pip install pandas"):
        to_pandas(metrics(store, "r"))


def test_to_pandas_builds_a_frame_when_pandas_is_there(store, monkeypatch):  # noqa: F811
    class FakeFrame:
        @staticmethod
        def from_records(records):
            return ("frame", records)

    monkeypatch.setitem(sys.modules, "pandas", type(sys)("pandas"))
    sys.modules["pandas"].DataFrame = FakeFrame
    kind, records = to_pandas(metrics(store, "r"))
    assert kind == "frame"
    assert len(records) == 6
