"""The store keeps the raw task JSON the API sent, for failed tasks as for measured ones."""

from __future__ import annotations

from pathlib import Path

import httpx

from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.visibility import Panel, VisibilityStore, run_panel

AUTH = ("emulator-login", "emulator-password")


def run_failing(tmp_path: Path, engines: dict[str, str]) -> tuple[VisibilityStore, str]:
    emu = Emulator(EmulatorConfig(task_latency=0.0, fault_task_error_50301=1.0))
    store = VisibilityStore(tmp_path / "runs.db")
    panel = Panel("crm", ["Which CRM suits a small agency?"], {"name": "HubSpot"}, (), engines, 2)
    run = run_panel(
        panel,
        store,
        run_id="f",
        max_cost=5.0,
        login=AUTH[0],
        password=AUTH[1],
        base_url="http://127.0.0.1",
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        poll_interval=0.02,
        collect_round=0.2,
    )
    return store, run


def test_a_failed_task_keeps_the_task_json_the_api_sent(tmp_path: Path) -> None:
    store, run = run_failing(tmp_path, {"chat_gpt": "gpt-4.1-mini", "perplexity": "sonar"})
    tasks = store.tasks(run)
    assert {t.engine for t in tasks} == {"chat_gpt", "perplexity"}
    for task in tasks:
        assert (task.status, task.error_code) == ("failed", 50301)
        raw = store.raw_task(run, task.tag)
        assert raw is not None
        assert raw["status_code"] == 50301
        assert raw["id"] == task.task_id
        assert raw["data"]["tag"] == task.tag  # the API's task, with its echoed request
        assert raw["data"]["user_prompt"] == task.prompt
