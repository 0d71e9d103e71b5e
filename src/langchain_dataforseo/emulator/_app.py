"""The emulator: routing to handlers, limits, faults; the LLM Mentions and Scraper calls.

Transport-independent: :meth:`Emulator.begin` turns (method, target, headers, body) into an
:class:`Exchange` whose ``delay`` the caller sleeps (``time.sleep`` or ``asyncio.sleep``) before
calling :meth:`Exchange.finish` for the :class:`Reply`.

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

import hmac
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

from ._core import JSON_HEADER, echo
from ._default_brands import describe_catalogue
from ._envelope import envelope, task_object, to_json
from ._exchange import Exchange, Reply
from ._faults import CallFaults
from ._intake import BodyTooLarge, declared_length, too_large
from ._mentions import answer_mentions
from ._responses import ResponsesEndpoints
from ._routing import Route, parse_body, route
from ._store import Ledger, TaskStore

__all__ = ["Emulator", "Exchange", "Reply"]

_REALM = ("WWW-Authenticate", 'Basic realm="DataForSEO REST API"')


class Emulator(ResponsesEndpoints):
    """A faithful in-memory stand-in for DataForSEO's AI Optimization LLM Responses API.

    Holds the whole state (Standard tasks, ledger, counters, limits, fault RNG); thread-safe.
    Serve it with :class:`EmulatorTransport`, :class:`AsyncEmulatorTransport` or
    :class:`EmulatorServer`.

    Args:
        config: Settings; defaults to ``EmulatorConfig()``.
    """

    # ------------------------------------------------------------------ public API

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

    # ------------------------------------------------------------------ helpers

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

    # ------------------------------------------------------------------ endpoints

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
