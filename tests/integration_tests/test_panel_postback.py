"""A panel run with postback delivery: run_panel only posts, the example receiver stores."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

import httpx

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.postback import new_secret
from langchain_dataforseo.visibility import Panel, VisibilityStore, run_panel

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "postback_receiver.py"
AUTH = ("emulator-login", "emulator-password")


def receiver_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("postback_receiver_for_panels", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_postbacks_written_into_the_store_measure_the_run(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    panel = Panel(
        "pb",
        ["Which CRM suits a small agency?", "Best CRM for startups?"],
        "HubSpot",
        engines={"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash"},
        samples=3,
        web_search=True,
    )
    with VisibilityStore(db) as store:
        store.create_run(panel, run_id="pb")
    module = receiver_module()
    secret = new_secret()
    receiver = module.make_server("127.0.0.1", 0, module.store_writer(str(db), "pb"), secret=secret)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = receiver.server_address[1]
    url = f"http://127.0.0.1:{port}/postback?secret={secret}&id=$id&tag=$tag"
    try:
        with EmulatorServer(Emulator(EmulatorConfig(task_latency=0.2))) as api:
            options = {"login": AUTH[0], "password": AUTH[1], "base_url": api.base_url}
            with VisibilityStore(db) as store:
                run_panel(panel, store, run_id="pb", collect=False, postback_url=url, **options)
                assert len(store.posted("pb")) + len(store.tasks("pb", "measured")) == 12
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with VisibilityStore(db, readonly=True) as store:
                    if len(store.tasks("pb", "measured")) == 12:
                        break
                time.sleep(0.1)
            ledger = httpx.get(f"{api.base_url}/emulator/ledger", auth=AUTH).json()
            gets = sum(n for k, n in ledger["calls"].items() if k.endswith(("task_get", "ready")))
    finally:
        receiver.shutdown()
    with VisibilityStore(db, readonly=True) as store:
        tasks = store.tasks("pb")
        assert {t.status for t in tasks} == {"measured"}
        by_tag = {c["tag"]: c for c in ledger["charges"]}
        assert Counter(c["tag"] for c in ledger["charges"]) == Counter({t.tag: 1 for t in tasks})
        for task in tasks:
            assert round(task.cost or 0, 6) == round(by_tag[task.tag]["cost"], 6)
    assert gets == 0  # nothing was polled: the postbacks delivered every answer


def test_no_postback_secret_reaches_the_store_file(tmp_path: Path) -> None:
    """Postbacks that never arrive: the run collects the tasks, whose data echoes the URL."""
    db = tmp_path / "runs.db"
    panel = Panel(
        "pb",
        ["Which CRM suits a small agency?"],
        "HubSpot",
        engines={"chat_gpt": "gpt-4.1-mini"},
        samples=2,
    )
    with VisibilityStore(db) as store:
        store.create_run(panel, run_id="pb")
    in_query, in_path = new_secret(), new_secret()
    with socket.socket() as unused:  # a port nobody listens on: every postback fails
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    url = f"http://127.0.0.1:{port}/postback/{in_path}?secret={in_query}&id=$id&tag=$tag"
    with EmulatorServer(Emulator(EmulatorConfig(task_latency=0.1))) as api:
        options = {"login": AUTH[0], "password": AUTH[1], "base_url": api.base_url}
        with VisibilityStore(db) as store:
            run_panel(panel, store, run_id="pb", collect=False, postback_url=url, **options)
            run_panel(panel, store, run_id="pb", **options)  # collects what was not delivered
            assert {t.status for t in store.tasks("pb")} == {"measured"}
            raw = store.raw_task("pb", store.tasks("pb")[0].tag)
    assert raw is not None
    shown = raw["data"]["postback_url"]
    assert shown.startswith(f"http://127.0.0.1:{port}/REDACTED/REDACTED?secret=REDACTED&id=")
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    for secret in (in_query, in_path):
        assert secret.encode() not in stored
