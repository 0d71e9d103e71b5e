"""Exports that cannot attack (issue 18, points 4 and 5).

The Markdown summary shows panel names, brands and cited domains as text (no HTML, no
link, no extra table cell); CSV text cells that a spreadsheet would run as a formula get a
leading ``'``. The HTML report escapes them too.
"""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_dataforseo.visibility import (
    Panel,
    VisibilityStore,
    answers_csv,
    metrics,
    metrics_csv,
    report,
)
from langchain_dataforseo.visibility._export import (
    FORMULA_STARTS,
    _csv,
    escape_markdown,
    spreadsheet_safe,
)

from .builders import cite, raw_task

IMG = "<img src=x onerror=alert(1)>"
HOSTILE_URL = f"https://{IMG}/"
HOSTILE = [
    IMG,
    "<script>alert(1)</script>",
    "a | b || c",
    "`code` and ``more``",
    "[click](javascript:alert(1))",
    "![img](http://x/y.png)",
    "**bold** _it_ *it*",
    "# heading",
    "- item",
    "1. item",
    "line\nbreak\r\nand\rmore",
    "https://evil.example/x and www.evil.example",
    "<https://evil.example>",
    "&lt;script&gt; &amp; &copy;",
    "back\\slash \\| \\<",
    "~~strike~~ {attr}",
]


# --- escape_markdown, directly ---------------------------------------------------------


def test_escape_markdown_examples():
    assert escape_markdown(IMG) == "&lt;img src=x onerror=alert(1)&gt;".replace("(1)", "\\(1\\)")
    assert escape_markdown("a | b") == "a \\| b"
    assert escape_markdown("[x](y)") == "\\[x\\]\\(y\\)"
    assert escape_markdown("`x`") == "\\`x\\`"
    assert escape_markdown("*a* _b_") == "\\*a\\* \\_b\\_"
    assert escape_markdown("# h") == "\\# h"
    assert escape_markdown("- a") == "\\- a"
    assert escape_markdown("+ a") == "\\+ a"
    assert escape_markdown("12. a") == "12\\. a"
    assert escape_markdown("3) a") == "3\\) a"
    assert escape_markdown("a\nb\r\nc") == "a b c"
    assert escape_markdown("a & b") == "a &amp; b"
    assert escape_markdown("https://x.com www.y.com") == "https\\://x.com www\\.y.com"
    # readable where nothing can happen
    assert escape_markdown("chat_gpt") == "chat_gpt"
    assert escape_markdown("HubSpot CRM 2.0 - best") == "HubSpot CRM 2.0 - best"
    assert escape_markdown("") == ""


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_markdown_has_no_raw_html_pipe_or_line_break(text):
    out = escape_markdown(text)
    assert "<" not in out
    assert ">" not in out
    assert "\n" not in out
    assert "\r" not in out
    assert re.search(r"(?<!\\)\|", out) is None  # every pipe escaped
    assert re.search(r"(?<!\\)`", out) is None
    assert re.search(r"(?<!\\)[\[\]()]", out) is None
    assert re.search(r"(?<!\\)://", out) is None  # no bare URL a GFM renderer links


def _renderer():
    """CommonMark with raw HTML passed through (the dangerous setting) and GFM tables.

    markdown-it-py comes with the ``test`` extra, so these rendering tests always run.
    """
    import markdown_it

    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")


def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


@settings(max_examples=400)
@given(st.text(alphabet="ab _*`[]()!<>&|#+-=.:/\\~{}\"'1w\t", max_size=30))
def test_escaped_text_renders_as_itself_in_a_paragraph(text):
    rendered = _renderer().render("x " + escape_markdown(text) + " x")
    tags = re.findall(r"<(/?[a-z]+)", rendered)
    assert tags == ["p", "/p"], rendered
    assert _text_of(rendered).strip() == ("x " + text + " x").strip()


@settings(max_examples=300)
@given(st.text(alphabet="ab _*`[]()!<>&|#+-=.:/\\~\n", max_size=30))
def test_escaped_text_stays_in_its_table_cell(text):
    source = "| a | b |\n|---|---|\n| " + escape_markdown(text) + " | z |\n"
    rendered = _renderer().render(source)
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.DOTALL)
    assert len(cells) == 2, rendered
    assert _text_of(cells[0]) == " ".join(text.replace("\r", " ").split("\n")).strip()
    assert cells[1] == "z"


# --- the Markdown summary and the HTML report of a hostile run -------------------------


@pytest.fixture
def hostile_store(tmp_path):
    panel = Panel(
        f"{IMG} | panel",
        ["=1+1 best crm?", "@SUM(A1) crm"],
        {"name": "<script>alert(1)</script>", "domains": ["brand.example"]},
        ["[click](javascript:alert(1))", '=HYPERLINK("http://x","y")', "a|b", "@Acme"],
        engines={"chat_gpt": "gpt-4.1-mini"},
        samples=1,
    )
    text = (
        "@Acme and <script>alert(1)</script> are good, then [click](javascript:alert(1)) and "
        '=HYPERLINK("http://x","y") and a|b.'
    )
    with VisibilityStore(tmp_path / "v.db") as store:
        run = store.create_run(panel, run_id="r")
        for index, prompt_text in enumerate(("+cmd|' /C calc'!A0", "-2+3")):
            store.record_result(
                run,
                store.tag_of(run, index, "chat_gpt", 0),
                raw_task(
                    prompt_text + " " + text,
                    [cite(HOSTILE_URL), cite("https://a|b.example/x"), cite("https://ok.example")],
                    fan_out=["=1+1", "@x", "\tTab", "-neg"],
                ),
            )
        yield store


def test_the_markdown_summary_of_a_hostile_run_is_inert(hostile_store, tmp_path):
    _, md_path = report(hostile_store, "r", tmp_path / "r.html")
    text = md_path.read_text(encoding="utf-8")
    assert "<img" not in text
    assert "<script" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text  # shown, as text
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\)" in text
    # every table line has as many cells as its header: no pipe of user data splits a cell
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if not lines:
            continue
        widths = {len(re.split(r"(?<!\\)\|", line)) for line in lines}
        assert len(widths) == 1, block
    rendered = _renderer().render(text)
    assert "<img" not in rendered
    assert "<script" not in rendered
    assert "<a " not in rendered
    assert "onerror=alert(1)" in html.unescape(rendered)  # the text is still there
    for table in re.findall(r"<table>.*?</table>", rendered, re.DOTALL):
        head = len(re.findall(r"<th[ >]", table))
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]:
            assert len(re.findall(r"<td[ >]", row)) == head, row


def test_the_html_report_of_a_hostile_run_escapes_everything(hostile_store, tmp_path):
    html_path, _ = report(hostile_store, "r", tmp_path / "r.html")
    page = html_path.read_text(encoding="utf-8")
    assert "<img" not in page
    assert "<script" not in page
    assert not re.search(r"<a\b", page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_text_cell_that_would_start_a_formula_gets_a_quote(start):
    assert spreadsheet_safe(start + "1+1") == "'" + start + "1+1"


@pytest.mark.parametrize(
    "value", ["plain", "'=already text", " =1", "a=1", "", -0.5, -3, 0, 2.5, None, True]
)
def test_other_cells_are_unchanged(value):
    assert spreadsheet_safe(value) == value
    assert type(spreadsheet_safe(value)) is type(value)


def test_formula_starts_are_owasps():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_a_negative_number_column_is_written_without_a_quote():
    text = _csv([{"name": "-x", "delta": -0.25, "n": -3}])
    assert list(csv.DictReader(io.StringIO(text))) == [{"name": "'-x", "delta": "-0.25", "n": "-3"}]


def _no_cell_starts_a_formula(records):
    for record in records:
        for key, value in record.items():
            assert not value.startswith(FORMULA_STARTS), (key, value)


def test_answer_csv_neutralises_answers_prompts_fan_out_and_brands(hostile_store):
    records = list(csv.DictReader(io.StringIO(answers_csv(hostile_store, "r"))))
    assert len(records) == 2
    _no_cell_starts_a_formula(records)
    first, second = records
    assert first["prompt"] == "'=1+1 best crm?"
    assert second["prompt"] == "'@SUM(A1) crm"
    assert first["text"].startswith("'+cmd|' /C calc'!A0 ")
    assert second["text"].startswith("'-2+3 ")
    assert first["fan_out_queries"] == "'=1+1;@x;Tab;-neg"  # queries are stripped
    assert first["brands"].startswith("'@Acme:1;")  # named first in the answer
    assert float(first["cost"]) > 0  # numbers read back as numbers


def test_metrics_csv_neutralises_brand_names(hostile_store):
    records = list(csv.DictReader(io.StringIO(metrics_csv(metrics(hostile_store, "r")))))
    _no_cell_starts_a_formula(records)
    assert '\'=HYPERLINK("http://x","y")' in {r["brand"] for r in records}
    assert {r["mention_rate"] for r in records} <= {"0.0", "1.0", ""}
