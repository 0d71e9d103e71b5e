"""The report of a three-run panel, rendered by a real headless Chromium and read as text.

Chromium (Debian's ``chromium``) renders the page (``--dump-dom``) and the test reads the
rendered document's text: the headline, the trend, "vs last run", the drill-down and the
definitions. Under ``CI=true`` a missing Chromium fails the test (``.ci/run`` installs it);
elsewhere the test is skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import (
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
)
from langchain_dataforseo.visibility import Panel, VisibilityStore, report, run_panel

from .test_run import options

PROMPTS = [
    "Which CRM suits a <b>small</b> agency?",
    "Best CRM for startups?",
    "Which CRM has the best free plan?",
    "CRM with the easiest pipeline view?",
]
WEEKS = ("2026-11-16T09:00:00+00:00", "2026-11-23T09:00:00+00:00", "2026-11-30T09:00:00+00:00")


def catalogue(hubspot: float) -> BrandCatalogue:
    """HubSpot named with probability ``hubspot`` (the planted move), Pipedrive 0.4."""
    return BrandCatalogue(
        brands=(CatalogueBrand("HubSpot", hubspot), CatalogueBrand("Pipedrive", 0.4)),
        domains=(
            CatalogueDomain("hubspot.com", 0.4),
            CatalogueDomain("pipedrive.com", 0.3),
            CatalogueDomain("g2.com", 0.5),
        ),
        seed=11,
    )


def panel(model: str) -> Panel:
    return Panel(
        "crm weekly",
        PROMPTS,
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        [{"name": "Pipedrive", "domains": ["pipedrive.com"]}],
        {"chat_gpt": model},
        10,
        web_search=True,
    )


def three_runs(store: VisibilityStore) -> None:
    """Three weekly runs of one panel: HubSpot 20% -> 85% (planted), then a model change."""
    plan = (("w1", 0.2, "gpt-4.1-mini"), ("w2", 0.85, "gpt-4.1-mini"), ("w3", 0.85, "gpt-4.1"))
    for (run_id, hubspot, model), week in zip(plan, WEEKS, strict=True):
        emu = Emulator(EmulatorConfig(brand_catalogue=catalogue(hubspot)))
        run_panel(
            panel(model), store, run_id=run_id, max_cost=20.0, collect_round=0.2, **options(emu)
        )
        store.connection.execute("UPDATE runs SET created_at = ? WHERE run_id = ?", (week, run_id))
        store.connection.commit()


def chromium() -> str:
    """The Chromium binary; under ``CI=true`` its absence fails the test."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed: CI must install it (.ci/run does)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI=true makes this fail")


def browse(page: Path, tmp: Path, *extra: str) -> str:
    """Run headless Chromium on a local file; its stdout."""
    args = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",  # no network: the page is a local file
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        *extra,
        page.as_uri(),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)  # noqa: S603
    return done.stdout


class _Text(HTMLParser):
    """The text of a rendered DOM, one string per element's text run."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def rendered(page: Path, tmp: Path) -> tuple[str, list[str]]:
    """The page as Chromium rendered it: its text (runs joined by ``|``) and element tags."""
    parser = _Text()
    parser.feed(browse(page, tmp, "--dump-dom"))
    return " | ".join(parser.parts), parser.tags


@pytest.fixture(scope="module")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("weekly")
    with VisibilityStore(tmp / "runs.db") as store:
        three_runs(store)
        report(store, "w2", tmp / "w2.html")
        html_path, md_path = report(store, "w3", tmp / "w3.html")
    return html_path, md_path


def test_the_rendered_report_reads_headline_trend_versus_drill_down_and_definitions(
    weekly: tuple[Path, Path], tmp_path: Path
) -> None:
    text, tags = rendered(weekly[0].with_name("w2.html"), tmp_path)
    # the headline from trend's verdict: a planted move 20% -> 85% is "up", same model
    assert "HubSpot is visible in" in text
    assert "of ChatGPT answers, up" in text
    assert "points since 16 Nov 2026, model unchanged." in text
    # visibility over time: one chart per engine, its interval named
    assert "Visibility over time (2 runs of this panel)" in text
    assert "HubSpot on ChatGPT: mention rate per run" in text
    assert "Whiskers: the 95% prompt-level interval" in text
    # vs last run: every tracked brand's rates against w1
    assert "Against run w1 of 16 Nov 2026" in text
    assert "HubSpot | mention rate |" in text
    assert "| up |" in text
    assert "Pipedrive | share of voice |" in text
    # cited domains by category
    assert "own | hubspot.com |" in text
    assert "competitor | pipedrive.com |" in text
    assert "other | g2.com |" in text
    # the drill-down: the prompt as text (escaped, not an element), answers, brands, cites
    assert "Which CRM suits a <b>small</b> agency? (10 answers)" in text
    assert "ChatGPT, sample 1 · names:" in text
    assert "… 7 more answers" in text
    assert "Cites: https://" in text
    assert "script" not in tags  # the page runs nothing
    # every metric's definition and its interval
    assert "Definitions | metric | definition | interval it carries" in text
    assert "mention rate | answers naming the brand / measured answers | Wilson [ ]" in text
    assert "share of voice | the brand's mentions" in text
    assert "the tracked brands sum to 100%" in text


def test_a_model_change_is_not_comparable_and_marked_on_the_chart(
    weekly: tuple[Path, Path], tmp_path: Path
) -> None:
    text, _ = rendered(weekly[0], tmp_path)
    assert "not comparable with 23 Nov 2026: model changed (" in text
    assert "Visibility over time (3 runs of this panel)" in text
    assert "model changed | " in text  # the chart's marker, as SVG text
    assert "Against run w2 of 23 Nov 2026" in text
    summary = weekly[1].read_text(encoding="utf-8")
    assert "not comparable with 23 Nov 2026: model changed \\(" in summary  # escaped
    assert "## This run vs the last run" in summary
    assert "## Definitions" in summary


def test_a_laptop_screenshot(weekly: tuple[Path, Path], tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    browse(
        weekly[0], tmp_path, f"--screenshot={shot}", "--window-size=1366,900", "--hide-scrollbars"
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1366, 900)
