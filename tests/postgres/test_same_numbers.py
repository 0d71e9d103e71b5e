"""The same panel into SQLite and PostgreSQL: identical metrics, comparisons, trends, report.

Each store gets its own emulator (same configuration, same run ids, so the same tags and
the same answers); every number the package computes from the stores must be equal.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.visibility import (
    Panel,
    VisibilityStore,
    compare_runs,
    metrics,
    report,
    run_panel,
    trend,
)
from langchain_dataforseo.visibility._export import answer_records

from ..pg import PgServer

AUTH = ("emulator-login", "emulator-password")
CATALOGUE = BrandCatalogue(
    brands=(CatalogueBrand("HubSpot", 0.5), CatalogueBrand("Pipedrive", 0.3)),
    domains=(CatalogueDomain("hubspot.com", 0.4), CatalogueDomain("g2.com", 0.5)),
    seed=7,
)
PANEL = Panel(
    "crm",
    ["Which CRM suits a small agency?", "Best CRM for startups?", "HubSpot or Pipedrive?"],
    {"name": "HubSpot", "domains": ["hubspot.com"]},
    [{"name": "Pipedrive", "domains": ["pipedrive.com"]}, "Salesforce"],
    {"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"},
    3,
    web_search=True,
)


def options(emu: Emulator) -> dict[str, Any]:
    return {
        "login": AUTH[0],
        "password": AUTH[1],
        "base_url": "http://127.0.0.1",
        "http_client": httpx.Client(transport=EmulatorTransport(emu)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        "poll_interval": 0.05,
    }


def fill(store: VisibilityStore) -> None:
    emu = Emulator(EmulatorConfig(brand_catalogue=CATALOGUE, task_latency=0.05))
    for run_id in ("r1", "r2"):
        run_panel(PANEL, store, run_id=run_id, max_cost=20.0, **options(emu))


def numbers(store: VisibilityStore, folder: Path) -> dict[str, Any]:
    _html, md = report(store, "r2", folder / "report.html")
    return {
        "metrics": [metrics(store, run, by) for run in ("r1", "r2") for by in _SLICES],
        "compare": compare_runs(store, "r1", "r2"),
        # when each run was created differs (the runs are made one after the other)
        "trend": [replace(row, created_at="") for row in trend(store, "crm")],
        # the emulator's task ids and the timestamps differ from one run to the other
        "answers": [
            {k: v for k, v in record.items() if k != "task_id" and not k.endswith("_at")}
            for record in answer_records(store, "r2")
        ],
        "markdown": _without_locations(md.read_text(encoding="utf-8")),
        "runs": [
            (r.run_id, r.measured, r.failed, r.pending, round(r.cost, 9)) for r in store.runs()
        ],
        "tasks": [
            (t.tag, t.status, t.answer_model, t.cost, t.task_id is not None)
            for t in store.tasks("r2")
        ],
    }


_SLICES = (("engine",), ("engine", "prompt"), ())


def _without_locations(text: str) -> str:
    """The report's text without what names the store or when it was written."""
    return "\n".join(line for line in text.splitlines() if "UTC" not in line and "v.db" not in line)


def test_the_same_panel_gives_the_same_numbers_on_sqlite_and_postgresql(
    tmp_path: Path, pg_server: PgServer
) -> None:
    (tmp_path / "lite").mkdir()
    (tmp_path / "pg").mkdir()
    with VisibilityStore(tmp_path / "v.db") as lite:
        fill(lite)
        expected = numbers(lite, tmp_path / "lite")
    with VisibilityStore(pg_server.url(pg_server.createdb())) as pg:
        assert pg.dialect == "postgresql"
        fill(pg)
        got = numbers(pg, tmp_path / "pg")
    assert expected["runs"][0][1] == len(list(PANEL.task_keys))  # something was measured
    assert any(row.brands for rows in expected["metrics"] for row in rows)
    for name in expected:
        assert got[name] == expected[name], name
