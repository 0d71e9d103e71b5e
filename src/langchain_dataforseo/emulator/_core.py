"""The emulator's state and the pieces every endpoint answers with (envelope, refusals).

:class:`EmulatorCore` holds the whole state (Standard tasks, ledger, counters, limits,
fault RNG, the LLM Scraper's endpoints) behind one lock; the endpoints are in
:mod:`._responses` (LLM Responses) and :mod:`._app` (routing, LLM Mentions, LLM Scraper).
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

from ._config import EmulatorConfig
from ._envelope import envelope, service_data, task_object, to_json
from ._exchange import Reply
from ._faults import CallFaults, FaultInjector
from ._ids import IdFactory
from ._limits import ConcurrencyGate, SlidingWindow
from ._routing import Route
from ._scraper import ScraperEndpoints
from ._store import Ledger, TaskStore

JSON_HEADER = ("Content-Type", "application/json")


def echo(engine: str, raw: Any, function: str = "llm_responses") -> dict[str, Any]:
    """A task's ``data``: the service fields, then what the request set (``None`` left out)."""
    data = service_data(engine, function)
    if isinstance(raw, dict):
        data.update({k: v for k, v in raw.items() if v is not None and k not in data})
    return data


class EmulatorCore:
    """The state of one emulator and the answers every endpoint shares (lock held).

    Args:
        config: Settings; defaults to ``EmulatorConfig()``.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._config = config or EmulatorConfig()
        self._lock = threading.RLock()
        self._ledger = Ledger()
        self._store = TaskStore(self._ledger, self._config.brand_catalogue)
        self._ids = IdFactory(self._config.seed)
        self._faults = FaultInjector(self._config)
        self._calls = SlidingWindow(self._config.calls_per_minute)
        self._ready_calls = SlidingWindow(self._config.tasks_ready_per_minute)
        self._gate = ConcurrencyGate(self._config.live_concurrency_limit)
        self._worker: threading.Thread | None = None
        self._scraper = self._new_scraper()
        expected = f"{self._config.login}:{self._config.password}".encode()
        self._expected_auth = b"Basic " + base64.b64encode(expected)

    @property
    def config(self) -> EmulatorConfig:
        """The emulator's configuration."""
        return self._config

    def _now(self) -> float:
        return self._config.now()

    def _respond(
        self,
        body: dict[str, Any],
        faults: CallFaults,
        *,
        status: int = 200,
        charged: tuple[str, ...] = (),
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Reply:
        """Count statuses, apply the malformed-JSON fault, encode. Caller holds the lock."""
        self._ledger.status_counts[str(body["status_code"])] += 1
        for task in body["tasks"] or []:
            self._ledger.task_status_counts[str(task["status_code"])] += 1
        data = to_json(body)
        if faults.malformed_json and status == 200:
            self._ledger.faults["malformed_json"] += 1
            self._ledger.mark_corrupted(list(charged))
            data = data[: max(1, len(data) // 2)]
        return Reply(status, (JSON_HEADER, *extra), data)

    def _reject(
        self,
        code: int,
        where: Route,
        tasks: list[Any] | None,
        faults: CallFaults,
        started: float,
    ) -> Reply:
        """Answer 40202/40209/40402 with the code in the envelope and in each task."""
        now = self._now()
        standard = where.function == "task_post"
        raws: list[Any] = tasks if tasks else [None]
        objects = [
            task_object(
                self._ids.next(now, standard=standard),
                code,
                list(where.segments),
                echo(where.engine, raw, self._function_name(where)),
            )
            for raw in raws
        ]
        top = 20000 if code == 40402 else code
        seconds = time.perf_counter() - started
        return self._respond(envelope(objects, code=top, seconds=seconds), faults)

    @staticmethod
    def _function_name(where: Route) -> str:
        return "tasks_ready" if where.function == "tasks_ready" else "llm_responses"

    def _new_scraper(self) -> ScraperEndpoints:
        config = self._config
        brands = config.brand_catalogue  # the app-surface answers of visibility panels
        return ScraperEndpoints(
            self._ledger, self._ids, config.live_latency, config.task_latency, brands
        )
