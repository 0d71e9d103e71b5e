"""The emulator: one request in, routed and answered; the whole state behind one lock.

Transport-independent: :meth:`Emulator.begin` turns (method, target, headers, body) into an
:class:`Exchange` whose ``delay`` the caller sleeps (``time.sleep`` or ``asyncio.sleep``) before
calling :meth:`Exchange.finish` for the :class:`Reply`. The LLM Responses endpoints (models,
live, task_post, tasks_ready, task_get) are answered here: Standard tasks complete in the
background (a worker thread while any is pending) and their pingback / postback callbacks
are delivered from threads of their own. LLM Mentions and LLM Scraper calls are routed here,
limited and faulted as the others, and answered by :mod:`._mentions` and :mod:`._scraper`.

Decisions where the reference is [I]:

* 40202 (calls_per_minute, tasks_ready_per_minute, injected) and 40209 (live concurrency) are
  answered in HTTP 200 with the code as the envelope ``status_code`` AND in every returned task
  object (one per posted task, or one for a GET). Nothing is charged. Rejected calls do not
  count against the window. Only authenticated ``/v3`` calls count against calls_per_minute.
* Request-level errors (40100, 40400, 40502, 40503, 50000/HTTP 500) carry ``tasks: null``.
* A wrong HTTP method, an unknown function under a known ``{engine}/llm_responses`` root or a
  Standard function on Perplexity -> task-level 40402 in an HTTP 200 envelope (top 20000).
* A non-object element of a POST array -> task-level 40503; an empty array -> 40502.
* ``/emulator/ledger``, ``/emulator/brand_catalogue`` (which brand truth the answers
  follow, one line) and ``/emulator/reset`` need auth but are never counted, limited or
  faulted.
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._brands import describe_catalogue
from ._config import CallFaults, ConcurrencyGate, EmulatorConfig, FaultInjector, SlidingWindow
from ._envelope import (
    JSON_HEADER,
    BodyTooLarge,
    Exchange,
    Reply,
    declared_length,
    echo,
    envelope,
    format_datetime,
    service_data,
    task_object,
    to_json,
    too_large,
)
from ._mentions import answer_mentions, mentions_function
from ._responses import (
    ENGINES,
    STANDARD_ENGINES,
    TaskError,
    generate_result,
    models_result,
    validate_task,
)
from ._scraper import SCRAPER_ENGINES, ScraperEndpoints, scraper_function
from ._store import (
    LIVE_BASE,
    PREPAYMENT,
    RETENTION,
    IdFactory,
    Ledger,
    StandardTask,
    TaskStore,
    deliver,
    substitute,
)

__all__ = [
    "MAX_JSON_DEPTH",
    "Emulator",
    "Exchange",
    "Reply",
    "Route",
    "nesting_depth",
    "parse_body",
    "route",
]

_REALM = ("WWW-Authenticate", 'Basic realm="DataForSEO REST API"')


# ---------------------------------------------- routing


MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays and objects a POST body may have (a real task nests 4 or 5 deep).

A deeper body is answered 40503 ("POST Data Is Invalid."), like any JSON that cannot be read,
and the handler keeps serving: no answer re-encodes a structure deep enough to exhaust the stack.
"""

_FUNCTIONS: dict[str, tuple[str, int]] = {
    "models": ("GET", 0),
    "live": ("POST", 0),
    "task_post": ("POST", 0),
    "tasks_ready": ("GET", 0),
    "task_get": ("GET", 1),
}


@dataclass(frozen=True)
class Route:
    """A routed API path.

    Attributes:
        kind: ``api`` (served), ``mentions`` (an LLM Mentions path, see ``_mentions``),
            ``invalid`` (known root, answered 40402 in HTTP 200) or
            ``not_found`` (HTTP 404 + 40400).
        engine: The engine segment (``api``/``invalid`` kinds).
        function: ``models``, ``live``, ``task_post``, ``tasks_ready`` or ``task_get``.
        task_id: The id of a ``task_get`` path.
        segments: The path split on ``/``.
        family: ``llm_responses`` or ``llm_scraper`` (see ``_scraper``).
    """

    kind: str
    engine: str = ""
    function: str = ""
    task_id: str = ""
    segments: tuple[str, ...] = ()
    family: str = "llm_responses"

    @property
    def key(self) -> str:
        """The counter key of the route (``engine/function``, ``invalid_path``, ``not_found``).

        LLM Scraper routes count apart: ``engine/llm_scraper/function``.
        """
        if self.kind == "api" and self.family == "llm_scraper":
            return f"{self.engine}/llm_scraper/{self.function}"
        if self.kind == "api" or (self.kind == "mentions" and self.function):
            return f"{self.engine}/{self.function}"
        return "invalid_path" if self.kind in ("invalid", "mentions") else "not_found"


def route(method: str, path: str) -> Route:
    """Route an API request.

    Args:
        method: HTTP method.
        path: URL path (no query string).

    Returns:
        The route. A known ``/v3/ai_optimization/{engine}/llm_responses/`` root with an unknown
        function, a wrong HTTP method, a wrong number of segments or a Standard function on
        Perplexity is ``invalid``; anything else unknown is ``not_found``.
    """
    segments = tuple(s for s in path.split("/") if s)
    if segments[:2] == ("v3", "ai_optimization") and segments[3:4] == ("llm_scraper",):
        return _scraper_route(method, segments)
    if segments[:3] == ("v3", "ai_optimization", "llm_mentions"):
        function = mentions_function(segments, method) or ""
        return Route("mentions", engine="llm_mentions", function=function, segments=segments)
    if (
        len(segments) < 5
        or segments[:2] != ("v3", "ai_optimization")
        or segments[2] not in ENGINES
        or segments[3] != "llm_responses"
    ):
        return Route("not_found", segments=segments)
    engine, function, rest = segments[2], segments[4], segments[5:]
    expected = _FUNCTIONS.get(function)
    if (
        expected is None
        or method.upper() != expected[0]
        or len(rest) != expected[1]
        or (function in ("task_post", "tasks_ready", "task_get") and engine not in STANDARD_ENGINES)
    ):
        return Route("invalid", engine=engine, function=function, segments=segments)
    task_id = rest[0] if rest else ""
    return Route("api", engine=engine, function=function, task_id=task_id, segments=segments)


def _scraper_route(method: str, segments: tuple[str, ...]) -> Route:
    if segments[2] not in SCRAPER_ENGINES or len(segments) < 5:
        return Route("not_found", segments=segments)
    served = scraper_function(method, segments[4:])
    if served is None:
        return Route("invalid", segments[2], "/".join(segments[4:]), "", segments, "llm_scraper")
    function, arg = served
    return Route("api", segments[2], function, arg, segments, "llm_scraper")


def parse_body(body: bytes) -> list[Any] | int:
    """Parse a POST body that must be a JSON array.

    Args:
        body: The raw body.

    Returns:
        The array, or 40502 (empty body or empty array) / 40503 (invalid JSON, not an array,
        nested deeper than :data:`MAX_JSON_DEPTH`).
    """
    if not body.strip():
        return 40502
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return 40503  # RecursionError: nested far deeper than MAX_JSON_DEPTH
    if not isinstance(value, list) or nesting_depth(value) > MAX_JSON_DEPTH:
        return 40503
    if not value:
        return 40502
    return value


def nesting_depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value, counted without recursion.

    Args:
        value: The value (``[]`` and ``{}`` are depth 1, a scalar 0).

    Returns:
        The depth.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


# ---------------------------------------------- the emulator


class Emulator:
    """A faithful in-memory stand-in for DataForSEO's AI Optimization LLM Responses API.

    Holds the whole state (Standard tasks, ledger, counters, limits, fault RNG); thread-safe.
    Serve it with :class:`EmulatorTransport`, :class:`AsyncEmulatorTransport` or
    :class:`EmulatorServer`.

    Args:
        config: Settings; defaults to ``EmulatorConfig()``.
    """

    # ---------------------------------------- public API

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

    def ledger(self) -> dict[str, Any]:
        """Return what has been charged, plus counters.

        Returns:
            A JSON-ready dict: ``charged_total`` (USD, 7 decimals), ``charges`` (one entry per
            charged task: ``id``, ``engine``, ``method`` (``live``/``task_post``, or
            ``llm_scraper/live``/``llm_scraper/task_post`` for the LLM Scraper), ``cost``,
            ``tag``, ``status``, ``response_corrupted``; Standard entries add ``prepaid`` and
            ``refund``), ``calls`` (by route and ``total``), ``status_counts`` (envelope codes,
            string keys), ``task_status_counts``, ``faults`` (by kind), ``callbacks``
            (delivery outcomes), ``live_in_flight`` and ``live_peak`` (per engine) and
            ``standard_pending``.
        """
        with self._lock:
            self._advance()
            snapshot = self._ledger.snapshot()
            snapshot["live_in_flight"] = dict(self._gate.in_flight)
            snapshot["live_peak"] = dict(self._gate.peak)
            snapshot["standard_pending"] = self._store.pending_count()
            return snapshot

    def reset(self) -> None:
        """Forget tasks, ledger, counters, rate-limit windows and restart the fault RNG."""
        with self._lock:
            self._ledger = Ledger()
            self._store = TaskStore(self._ledger, self._config.brand_catalogue)
            self._ids.reset()
            self._faults.reset()
            self._calls.reset()
            self._ready_calls.reset()
            self._gate.reset()
            self._scraper = self._new_scraper()

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Serve one request synchronously (sleeps the live latency with ``time.sleep``).

        Args:
            method: HTTP method.
            target: Request target (path and optional query).
            headers: Request headers (any case).
            body: Request body.

        Returns:
            The reply.
        """
        exchange = self.begin(method, target, headers, body)
        try:
            if exchange.delay > 0:
                time.sleep(exchange.delay)
            return exchange.finish()
        finally:
            exchange.abandon()

    def begin(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Exchange:
        """Start serving one request.

        Args:
            method: HTTP method.
            target: Request target (path and optional query).
            headers: Request headers (any case).
            body: Request body.

        Returns:
            The exchange; sleep its ``delay`` then call ``finish()`` (or ``abandon()``).
        """
        started = time.perf_counter()
        path = urllib.parse.urlsplit(target).path
        authorized = self.authorized(headers)
        if path.startswith("/emulator"):
            return Exchange.ready(self._control(method.upper(), path.rstrip("/"), authorized))
        with self._lock:
            faults = self._faults.draw_call()
            where = route(method, path)
            self._ledger.calls["total"] += 1
            self._ledger.calls[where.key] += 1
            if faults.drop_connection:
                self._ledger.faults["drop_connection"] += 1
                return Exchange.ready(Reply(0, (), b"", drop=True))
            return self._dispatch(where, method, authorized, body, faults, started)

    def authorized(self, headers: Mapping[str, str]) -> bool:
        """Whether a request carries the accepted HTTP Basic credentials.

        Args:
            headers: Request headers (any case).

        Returns:
            ``True`` when the ``Authorization`` header matches (compared in constant time).
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        return hmac.compare_digest(
            lowered.get("authorization", "").strip().encode("utf-8", "replace"),
            self._expected_auth,
        )

    def refuse_early(self, method: str, target: str, headers: Mapping[str, str]) -> Reply | None:
        """Answer, from the headers alone, a request whose body must not be read.

        Checked before any byte of the body is read, in this order: missing or wrong
        credentials get the usual 401 (served as :meth:`begin` serves it, so counters and the
        fault draw are the same); a declared ``Content-Length`` over ``max_body_bytes`` gets
        HTTP 413 (not counted, not charged).

        Args:
            method: HTTP method.
            target: Request target (path and optional query).
            headers: Request headers (any case).

        Returns:
            The reply, or ``None`` when the body may be read.
        """
        if not self.authorized(headers):
            return self.handle(method, target, headers, b"")  # a 401 never reads the body
        try:
            length = declared_length(headers)
        except ValueError:
            return None  # the server answers 400 when it reads the body
        if length is not None and length > self._config.max_body_bytes:
            return too_large(BodyTooLarge(length, self._config.max_body_bytes))
        return None

    # ---------------------------------------- routing to the endpoints

    def _control(self, method: str, path: str, authorized: bool) -> Reply:
        if not authorized:
            return Reply(401, (JSON_HEADER, _REALM), to_json(envelope(None, code=40100)))
        if method == "GET" and path == "/emulator/ledger":
            return Reply(200, (JSON_HEADER,), to_json(self.ledger()))
        if method == "GET" and path == "/emulator/brand_catalogue":
            note = {"brand_catalogue": describe_catalogue(self._config.brand_catalogue)}
            return Reply(200, (JSON_HEADER,), to_json(note))
        if method == "POST" and path == "/emulator/reset":
            self.reset()
            return Reply(200, (JSON_HEADER,), to_json(envelope([])))
        return Reply(404, (JSON_HEADER,), to_json(envelope(None, code=40400)))

    def _dispatch(
        self,
        where: Route,
        method: str,
        authorized: bool,
        body: bytes,
        faults: CallFaults,
        started: float,
    ) -> Exchange:
        if not authorized:
            reply = self._respond(envelope(None, code=40100), faults, status=401, extra=(_REALM,))
            return Exchange.ready(reply)
        if where.kind == "not_found":
            return Exchange.ready(self._respond(envelope(None, code=40400), faults, status=404))
        if where.kind == "mentions":
            return Exchange.ready(self._mentions(where, method, body, faults, started))
        parsed: list[Any] | int | None = None
        if method.upper() == "POST" and where.kind == "api":
            parsed = parse_body(body)
        tasks = parsed if isinstance(parsed, list) else None
        now = self._now()
        if not self._calls.admit(now):
            self._ledger.faults["limit_calls_per_minute"] += 1
            return Exchange.ready(self._reject(40202, where, tasks, faults, started))
        if where.kind == "invalid":
            return Exchange.ready(self._reject(40402, where, None, faults, started))
        if where.function == "tasks_ready" and not self._ready_calls.admit(now):
            self._ledger.faults["limit_tasks_ready_per_minute"] += 1
            return Exchange.ready(self._reject(40202, where, None, faults, started))
        if faults.http_500:
            self._ledger.faults["http_500"] += 1
            return Exchange.ready(self._respond(envelope(None, code=50000), faults, status=500))
        if faults.rate_limit:
            self._ledger.faults["rate_limit_40202"] += 1
            return Exchange.ready(self._reject(40202, where, tasks, faults, started))
        if isinstance(parsed, int):
            return Exchange.ready(self._respond(envelope(None, code=parsed), faults))
        if where.family == "llm_scraper":
            return self._scraper_call(where, tasks or [], faults, started)
        if where.function == "live":
            return self._live(where, tasks or [], faults, started)
        if where.function == "task_post":
            return Exchange.ready(self._task_post(where, tasks or [], faults, started))
        if where.function == "models":
            return Exchange.ready(self._models(where, faults, started))
        if where.function == "tasks_ready":
            return Exchange.ready(self._tasks_ready(where, faults, started))
        return Exchange.ready(self._task_get(where, faults, started))

    # ---------------------------------------- what every endpoint answers with

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

    # ---------------------------------------- LLM Responses

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

    # ---------------------------------------- Standard completion

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

    # ---------------------------------------- LLM Scraper and LLM Mentions

    def _scraper_call(
        self, where: Route, tasks: list[Any], faults: CallFaults, started: float
    ) -> Exchange:
        path = list(where.segments)
        call = self._scraper.serve(
            where.engine, where.function, where.task_id, path, tasks, self._now()
        )

        def finish() -> Reply:
            with self._lock:
                for charge in call.charges:
                    self._ledger._add(charge)
                call.body["time"] = f"{time.perf_counter() - started:.4f} sec."
                charged = tuple(charge["id"] for charge in call.charges)
                return self._respond(call.body, faults, charged=charged)

        return Exchange(call.delay, finish)

    def _mentions(
        self, where: Route, method: str, body: bytes, faults: CallFaults, started: float
    ) -> Reply:
        """Serve an LLM Mentions path (``_mentions``); charge the live price of a served task.

        The account's calls-a-minute window and the injected call faults apply as for LLM
        Responses; a refused call is not charged.
        """
        now, path = self._now(), list(where.segments)
        limited = not self._calls.admit(now)
        if limited or faults.rate_limit:
            self._ledger.faults["limit_calls_per_minute" if limited else "rate_limit_40202"] += 1
            obj = task_object(self._ids.next(now, standard=False), 40202, path, {})
            seconds = time.perf_counter() - started
            return self._respond(envelope([obj], code=40202, seconds=seconds), faults)
        if faults.http_500:
            self._ledger.faults["http_500"] += 1
            return self._respond(envelope(None, code=50000), faults, status=500)
        raws: list[Any] = [None]
        if where.function and method.upper() == "POST":
            parsed = parse_body(body)
            if isinstance(parsed, int):
                return self._respond(envelope(None, code=parsed), faults)
            raws = parsed
        data = echo("llm_mentions", raws[0], where.function or "llm_mentions")
        extras = [
            task_object(self._ids.next(now, standard=False), 40000, path, data) for _ in raws[1:]
        ]
        task_id = self._ids.next(now, standard=False)
        if not where.function:
            obj = task_object(task_id, 40402, path, data)
            return self._respond(envelope([obj], seconds=time.perf_counter() - started), faults)
        answer = answer_mentions(where.function, raws[0])
        seconds = time.perf_counter() - started
        obj = task_object(
            task_id,
            answer.code,
            path,
            data,
            message=answer.message,
            cost=answer.cost,
            result=answer.result,
            seconds=seconds,
        )
        charged: tuple[str, ...] = ()
        if answer.code == 20000 and answer.cost > 0:
            tag = raws[0].get("tag") if isinstance(raws[0], dict) else None
            self._ledger.charge_live(task_id, "llm_mentions", answer.cost, tag)
            charged = (task_id,)
        body_out = envelope([obj, *extras], seconds=seconds)
        return self._respond(body_out, faults, charged=charged)
