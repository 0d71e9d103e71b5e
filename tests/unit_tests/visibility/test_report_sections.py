"""The report's headline, excerpts, judged rates and definitions, read without a browser."""

from __future__ import annotations

from dataclasses import replace

from langchain_dataforseo.visibility import report, trend
from langchain_dataforseo.visibility._metrics import metrics
from langchain_dataforseo.visibility._report import render_html, render_markdown
from langchain_dataforseo.visibility._report_data import CUT_MARKER, excerpt, headlines
from langchain_dataforseo.visibility._stats import rate

from .test_trend import store  # noqa: F401 - the fixture: w1 40%, w2 70%, w3 66%, w4 20% new model


def test_headlines_say_the_verdict_the_points_the_date_and_the_model(store):  # noqa: F811
    rows = trend(store, "crm")
    w1, w2, w3, w4 = (headlines(rows, run)[0] for run in ("w1", "w2", "w3", "w4"))
    assert w1 == "HubSpot is visible in 40% of ChatGPT answers, the first run of this panel"
    assert w2.startswith("HubSpot is visible in 70% of ChatGPT answers, up 30 points since ")
    assert w2.endswith(", model unchanged")
    assert ", -4 points since " in w3
    assert "(within noise), model unchanged" in w3
    assert "visible in 20% of ChatGPT answers; not comparable with " in w4
    assert w4.endswith(": model changed (gpt-4.1-mini-2025-04-14 → gpt-4.1-mini-2025-09-30)")
    assert headlines(rows, "w4")[1].startswith("HubSpot is visible in 50% of Gemini answers, +0")


def test_the_report_carries_the_headline_and_the_definitions(store, tmp_path):  # noqa: F811
    html_path, md_path = report(store, "w2", tmp_path / "r.html")
    page, summary = html_path.read_text(), md_path.read_text()
    assert "<li>HubSpot is visible in 70% of ChatGPT answers, up 30 points since" in page
    assert "- **HubSpot is visible in 70% of ChatGPT answers, up 30 points since" in summary
    assert "<h2>Definitions</h2>" in page
    assert "## Definitions" in summary
    assert "interval it carries" in page
    assert "interval it carries" in summary
    assert "Against run w1 of " in page


def test_excerpts_are_cut_at_a_word_with_a_marker() -> None:
    text = "word " * 200
    cut = excerpt(text, 50)
    assert cut.endswith(CUT_MARKER)
    assert len(cut) <= 50 + len(CUT_MARKER)
    assert excerpt("short\nanswer", 50) == "short answer"


def test_judged_rates_show_only_where_present(store):  # noqa: F811
    rows = metrics(store, "w1")
    info = store.run("w1")
    names = ["HubSpot", "Salesforce"]
    plain = render_html(info, rows, names)
    assert "positive rate" not in plain
    assert "recommended rate" not in plain
    brands = {
        name: replace(m, positive_rate=rate(3, 4), recommended_rate=None)
        for name, m in rows[0].brands.items()
    }
    judged_rows = [replace(rows[0], brands=brands), *rows[1:]]
    page = render_html(info, judged_rows, names)
    assert "<th>positive rate</th>" in page
    assert "<th>recommended rate</th>" not in page
    assert "75.0% [" in page  # the judged rate with its interval
    assert "answers judged positive about the brand / judged answers" in page
    assert "| positive rate |" in render_markdown(info, judged_rows)
