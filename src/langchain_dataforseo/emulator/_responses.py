"""The emulated LLM Responses endpoints: models, live, task_post, tasks_ready, task_get.

Standard tasks complete in the background (a worker thread while any is pending) and
their pingback / postback callbacks are delivered from threads of their own.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ._answers import format_datetime, generate_result
from ._callbacks import deliver, substitute
from ._catalogue import models_result
from ._core import EmulatorCore, echo
from ._envelope import envelope, service_data, task_object, to_json
from ._exchange import Exchange, Reply
from ._faults import CallFaults
from ._routing import Route
from ._store import LIVE_BASE, PREPAYMENT, RETENTION, StandardTask, TaskStore
from ._validation import TaskError, validate_task


class ResponsesEndpoints(EmulatorCore):
    """The LLM Responses endpoints of the emulator (each called with the lock held)."""

    def _models(self, where: Route, faults: CallFaults, started: float) -> Reply:
        result = models_result(where.engine, self._config.models_shape)
        seconds = time.perf_counter() - started
        obj = task_object(
            self._ids.next(self._now(), standard=False),
            20000,
            list(where.segments),
            service_data(where.engine),
            result=result,
            seconds=seconds,
        )
        obj["cost"] = 0  # the documented models answer: integer 0, task and envelope
        body = envelope([obj], seconds=seconds)
        body["cost"] = 0
        return self._respond(body, faults)

    def _live(self, where: Route, tasks: list[Any], faults: CallFaults, started: float) -> Exchange:
        engine, path = where.engine, list(where.segments)
        now = self._now()
        first_id = self._ids.next(now, standard=False)
        extras = [
            task_object(self._ids.next(now, standard=False), 40000, path, echo(engine, raw))
            for raw in tasks[1:]
        ]
        first, data = tasks[0], echo(engine, tasks[0])
        valid = validate_task(engine, "live", first) if isinstance(first, dict) else None
        if valid is None or isinstance(valid, TaskError):
            code, message = (valid.code, valid.message) if valid is not None else (40503, None)
            obj = task_object(first_id, code, path, data, message=message)
            seconds = time.perf_counter() - started
            return Exchange.ready(self._respond(envelope([obj, *extras], seconds=seconds), faults))
        if not self._gate.acquire(engine):
            self._ledger.faults["limit_live_concurrency"] += 1
            obj = task_object(first_id, 40209, path, data)
            seconds = time.perf_counter() - started
            return Exchange.ready(
                self._respond(envelope([obj, *extras], code=40209, seconds=seconds), faults)
            )
        fault = self._faults.draw_task()
        checked = valid

        def finish() -> Reply:
            with self._lock:
                self._gate.release(engine)
                seconds = time.perf_counter() - started
                charged: tuple[str, ...] = ()
                if fault is not None:
                    self._ledger.faults[f"task_error_{fault}"] += 1
                    obj = task_object(first_id, fault, path, data, seconds=seconds)
                else:
                    result = generate_result(
                        engine, checked, self._now(), self._config.brand_catalogue
                    )
                    cost = round(LIVE_BASE + float(result["money_spent"]), 7)
                    self._ledger.charge_live(first_id, engine, cost, checked.fields.get("tag"))
                    charged = (first_id,)
                    obj = task_object(
                        first_id, 20000, path, data, cost=cost, result=[result], seconds=seconds
                    )
                body = envelope([obj, *extras], seconds=seconds)
                return self._respond(body, faults, charged=charged)

        def abandon() -> None:
            with self._lock:
                self._gate.release(engine)

        return Exchange(self._config.live_latency, finish, abandon)

    def _task_post(
        self, where: Route, tasks: list[Any], faults: CallFaults, started: float
    ) -> Reply:
        engine, path = where.engine, list(where.segments)
        now = self._now()
        objects: list[dict[str, Any]] = []
        charged: list[str] = []
        for index, raw in enumerate(tasks):
            task_id = self._ids.next(now, standard=True)
            data = echo(engine, raw)
            if index >= 100:
                objects.append(task_object(task_id, 40006, path, data))
                continue
            if not isinstance(raw, dict):
                objects.append(task_object(task_id, 40503, path, data))
                continue
            valid = validate_task(engine, "task_post", raw)
            if isinstance(valid, TaskError):
                objects.append(task_object(task_id, valid.code, path, data, message=valid.message))
                continue
            tag = valid.fields.get("tag")
            callbacks = {
                kind: substitute(valid.fields[name], task_id, tag)
                for kind, name in (("pingback", "pingback_url"), ("postback", "postback_url"))
                if name in valid.fields
            }
            task = StandardTask(
                id=task_id,
                engine=engine,
                data=data,
                valid=valid,
                posted_at=now,
                ready_at=now + self._config.task_latency,
                fault=self._faults.draw_task(),
                callbacks=callbacks,
                callback_state="pending" if callbacks else "none",
            )
            self._store.add(task)
            self._ledger.prepay(task_id, engine, tag)
            charged.append(task_id)
            objects.append(task_object(task_id, 20100, path, data, cost=PREPAYMENT))
        if charged:
            self._ensure_worker()
        seconds = time.perf_counter() - started
        return self._respond(envelope(objects, seconds=seconds), faults, charged=tuple(charged))

    def _tasks_ready(self, where: Route, faults: CallFaults, started: float) -> Reply:
        self._advance()
        engine = where.engine
        result = [
            {
                "id": task.id,
                "se": engine,
                "se_type": "llm_responses",
                "date_posted": format_datetime(task.posted_at),
                "tag": task.tag,
                "endpoint": f"/v3/ai_optimization/{engine}/llm_responses/task_get/{task.id}",
            }
            for task in self._store.ready(engine)
        ]
        seconds = time.perf_counter() - started
        obj = task_object(
            self._ids.next(self._now(), standard=False),
            20000,
            list(where.segments),
            service_data(engine, "tasks_ready"),
            result=result,
            seconds=seconds,
        )
        return self._respond(envelope([obj], seconds=seconds), faults)

    def _task_get(self, where: Route, faults: CallFaults, started: float) -> Reply:
        self._advance()
        obj = self._task_get_object(where.engine, where.task_id, list(where.segments), collect=True)
        seconds = time.perf_counter() - started
        obj["time"] = f"{seconds:.4f} sec."
        return self._respond(envelope([obj], seconds=seconds), faults)

    def _task_get_object(
        self, engine: str, task_id: str, path: list[str], *, collect: bool
    ) -> dict[str, Any]:
        task = self._store.tasks.get(task_id)
        if task is None:
            return task_object(task_id, 40401, path, service_data(engine))
        if task.engine != engine:
            return task_object(task_id, 40002, path, service_data(engine))
        if self._now() - task.posted_at > RETENTION:
            return task_object(task_id, 40403, path, task.data)
        if not task.completed:
            return task_object(task_id, 40602, path, task.data)
        if collect:
            task.collected = True
        if task.fault is not None or task.result is None:
            return task_object(task_id, task.fault or 50000, path, task.data)
        return task_object(task_id, 20000, path, task.data, cost=task.cost, result=[task.result])

    # ------------------------------------------------------------------ Standard completion

    def _advance(self) -> None:
        """Complete due Standard tasks and start their callback deliveries (lock held)."""
        for task in self._store.complete_due(self._now()):
            path = ["v3", "ai_optimization", task.engine, "llm_responses", "task_get", task.id]
            body = to_json(
                envelope([self._task_get_object(task.engine, task.id, path, collect=False)])
            )
            store = self._store
            thread = threading.Thread(
                target=self._deliver, args=(store, task, body), name="dfs-emulator-callback"
            )
            thread.daemon = True
            thread.start()

    def _deliver(self, store: TaskStore, task: StandardTask, body: bytes) -> None:
        outcomes = [
            deliver(kind, url, body, self._config.callback_timeout)
            for kind, url in sorted(task.callbacks.items())
        ]
        with self._lock:
            if store is not self._store:
                return
            for outcome in outcomes:
                self._ledger.callbacks.append(
                    {
                        "id": task.id,
                        "kind": outcome.kind,
                        "url": outcome.url,
                        "delivered": outcome.delivered,
                        "http_status": outcome.http_status,
                        "error": outcome.error,
                    }
                )
            ok = all(outcome.delivered for outcome in outcomes)
            task.callback_state = "delivered" if ok else "failed"

    def _ensure_worker(self) -> None:
        """Run a background thread completing tasks while any are pending (lock held)."""
        if self._worker is not None and self._worker.is_alive():
            return
        self._worker = threading.Thread(target=self._work, name="dfs-emulator-standard")
        self._worker.daemon = True
        self._worker.start()

    def _work(self) -> None:
        while True:
            time.sleep(0.01)
            with self._lock:
                self._advance()
                if self._store.pending_count() == 0:
                    self._worker = None
                    return
