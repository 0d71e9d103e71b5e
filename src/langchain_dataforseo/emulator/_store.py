"""What the emulator keeps of its tasks: their ids, Standard tasks, the ledger, callbacks.

No class here locks: the :class:`~langchain_dataforseo.emulator.Emulator` serialises every
access with its own lock.

Billing model (reference §1.4): a live task is charged ``round(0.0006 + money_spent, 7)`` when
it completes successfully. A created Standard task is charged the prepayment ``0.0102``
($0.01 advance + $0.0002 base) at ``task_post``; when it completes the same ledger entry is
settled to the net charge ``round(0.0002 + money_spent, 7)`` (``prepaid`` keeps 0.0102,
``refund`` = prepaid - net, negative when the LLM cost more than the advance). A Standard task
that fails (injected 50000/50301) is settled to 0. Each task id has at most one entry.

Task ids are deterministic and UUID-shaped: ``MMDDhhmm-CCCC-CCCC-K000-hhhhhhhhhhhh`` (as
observed on the real API): the first group is the UTC posting time, groups 2-3 an 8-digit
per-emulator counter (so ids are unique), ``K`` is 0 for live/GET tasks and 1 for Standard
tasks, and the last group is a hash of the counter, the seed and the reset generation. Same
clock + same call sequence => same ids.

Pingback / postback delivery (reference §7) is restricted to loopback hosts: the emulator
must never send traffic off the machine. URLs whose host is not ``localhost`` or a loopback
IP literal are refused without any network activity (the delivery counts as failed, so the
task shows up in ``tasks_ready``). Proxies from the environment and redirects are
ignored/refused for the same reason.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import ipaddress
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ._brands import BrandCatalogue
from ._responses import ValidTask, generate_result

__all__ = [
    "LIVE_BASE",
    "PREPAYMENT",
    "RETENTION",
    "STANDARD_BASE",
    "Delivery",
    "IdFactory",
    "Ledger",
    "StandardTask",
    "TaskStore",
    "deliver",
    "is_loopback_url",
    "substitute",
]

LIVE_BASE = 0.0006
"""Base price of a live task (USD)."""
STANDARD_BASE = 0.0002
"""Base price of a Standard task (USD)."""
PREPAYMENT = 0.0102
"""Charged per created Standard task at task_post: $0.01 advance + $0.0002 base."""
RETENTION = 30 * 86400.0
"""task_get works for 30 days after posting; later 40403."""


@dataclass
class StandardTask:
    """A task created by ``task_post``.

    Attributes:
        id: Task id.
        engine: Engine.
        data: The ``data`` echo (service keys + fields as sent, nulls dropped).
        valid: The validated request.
        posted_at: Epoch seconds of posting.
        ready_at: Epoch seconds of completion.
        fault: Injected task error code, if any.
        callbacks: ``{"pingback": url, "postback": url}`` after ``$id``/``$tag`` substitution.
        result: The result object once completed (``None`` on failure).
        completed: Whether the task has completed.
        collected: Whether ``task_get`` returned its completed state.
        callback_state: ``none``, ``pending``, ``delivering``, ``delivered`` or ``failed``.
        cost: The net charge once completed.
    """

    id: str
    engine: str
    data: dict[str, Any]
    valid: ValidTask
    posted_at: float
    ready_at: float
    fault: int | None
    callbacks: dict[str, str]
    result: dict[str, Any] | None = None
    completed: bool = False
    collected: bool = False
    callback_state: str = "none"
    cost: float = 0.0

    @property
    def tag(self) -> str | None:
        """The task's tag, if any."""
        value = self.data.get("tag")
        return value if isinstance(value, str) else None


@dataclass
class Ledger:
    """What was charged, plus call and status counters."""

    charges: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    status_counts: Counter[str] = field(default_factory=Counter)
    task_status_counts: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    _by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _add(self, entry: dict[str, Any]) -> dict[str, Any]:
        if entry["id"] in self._by_id:
            raise RuntimeError(f"task {entry['id']} charged twice")
        self.charges.append(entry)
        self._by_id[entry["id"]] = entry
        return entry

    def charge_live(self, task_id: str, engine: str, cost: float, tag: str | None) -> None:
        """Record a completed live task.

        Args:
            task_id: Task id.
            engine: Engine.
            cost: The task cost.
            tag: The task tag.
        """
        self._add(
            {
                "id": task_id,
                "engine": engine,
                "method": "live",
                "cost": cost,
                "tag": tag,
                "status": "charged",
                "response_corrupted": False,
            }
        )

    def prepay(self, task_id: str, engine: str, tag: str | None) -> None:
        """Record the prepayment of a created Standard task.

        Args:
            task_id: Task id.
            engine: Engine.
            tag: The task tag.
        """
        self._add(
            {
                "id": task_id,
                "engine": engine,
                "method": "task_post",
                "cost": PREPAYMENT,
                "prepaid": PREPAYMENT,
                "refund": 0.0,
                "tag": tag,
                "status": "prepaid",
                "response_corrupted": False,
            }
        )

    def settle(self, task_id: str, net: float, *, failed: bool) -> None:
        """Settle a Standard task to its net charge.

        Args:
            task_id: Task id.
            net: Net charge (0 for a failed task).
            failed: Whether the task failed (prepayment fully refunded).
        """
        entry = self._by_id[task_id]
        entry["cost"] = net
        entry["refund"] = round(entry["prepaid"] - net, 7)
        entry["status"] = "refunded" if failed else "settled"

    def mark_corrupted(self, task_ids: list[str]) -> None:
        """Flag charges whose response body was deliberately corrupted (malformed JSON fault).

        Args:
            task_ids: Ids charged by the corrupted call.
        """
        for task_id in task_ids:
            if task_id in self._by_id:
                self._by_id[task_id]["response_corrupted"] = True

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-ready deep copy.

        Returns:
            ``charged_total``, ``charges``, ``calls``, ``status_counts``,
            ``task_status_counts``, ``faults`` and ``callbacks``.
        """
        return {
            "charged_total": round(sum(float(c["cost"]) for c in self.charges), 7),
            "charges": copy.deepcopy(self.charges),
            "calls": dict(self.calls),
            "status_counts": dict(self.status_counts),
            "task_status_counts": dict(self.task_status_counts),
            "faults": dict(self.faults),
            "callbacks": copy.deepcopy(self.callbacks),
        }


class TaskStore:
    """Standard tasks by id.

    Args:
        ledger: The ledger settled on completion.
        brands: The brand truth answers are drawn from, if any.
    """

    def __init__(self, ledger: Ledger, brands: BrandCatalogue | None = None) -> None:
        self.ledger = ledger
        self.brands = brands
        self.tasks: dict[str, StandardTask] = {}

    def add(self, task: StandardTask) -> None:
        """Store a created task (its prepayment is recorded by the caller).

        Args:
            task: The task.
        """
        self.tasks[task.id] = task

    def complete_due(self, now: float) -> list[StandardTask]:
        """Complete every task whose ``ready_at`` has passed and settle its charge.

        Args:
            now: Current epoch seconds.

        Returns:
            Newly completed tasks that have callbacks to deliver (state set to ``delivering``).
        """
        to_deliver = []
        for task in self.tasks.values():
            if task.completed or task.ready_at > now:
                continue
            task.completed = True
            if task.fault is None:
                task.result = generate_result(task.engine, task.valid, task.ready_at, self.brands)
                task.cost = round(STANDARD_BASE + float(task.result["money_spent"]), 7)
                self.ledger.settle(task.id, task.cost, failed=False)
            else:
                self.ledger.settle(task.id, 0.0, failed=True)
            if task.callbacks:
                task.callback_state = "delivering"
                to_deliver.append(task)
        return to_deliver

    def pending_count(self) -> int:
        """Return how many tasks have not completed yet."""
        return sum(1 for task in self.tasks.values() if not task.completed)

    def ready(self, engine: str, limit: int = 1000) -> list[StandardTask]:
        """List completed, uncollected tasks without (successful) callbacks.

        Args:
            engine: The engine.
            limit: Maximum number of tasks.

        Returns:
            Up to ``limit`` tasks in posting order.
        """
        out = []
        for task in self.tasks.values():
            if task.engine != engine or not task.completed or task.collected:
                continue
            if task.callback_state in ("none", "failed"):
                out.append(task)
                if len(out) >= limit:
                    break
        return out


# ---------------------------------------------- task ids


class IdFactory:
    """Issues task ids; not thread-safe on its own (the emulator holds its lock).

    Args:
        seed: Mixed into the hash part of every id.
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counter = 0
        self._generation = 0

    def reset(self) -> None:
        """Restart the counter; later ids still differ from pre-reset ones (hash part)."""
        self._counter = 0
        self._generation += 1

    def next(self, now: float, *, standard: bool) -> str:
        """Return a new task id.

        Args:
            now: Epoch seconds for the time group.
            standard: ``True`` for task_post tasks (4th group ``1000``).

        Returns:
            The id.
        """
        self._counter += 1
        count = self._counter % 100_000_000
        stamp = time.strftime("%m%d%H%M", time.gmtime(now))
        material = f"{self._seed}:{self._generation}:{self._counter}".encode()
        tail = hashlib.sha256(material).hexdigest()[:12]
        kind = "1000" if standard else "0000"
        return f"{stamp}-{count // 10000:04d}-{count % 10000:04d}-{kind}-{tail}"


# ---------------------------------------------- pingback and postback delivery


def substitute(url: str, task_id: str, tag: str | None) -> str:
    """Replace ``$id`` and ``$tag`` (URL-encoded) in a callback URL; ``#`` becomes ``%23``.

    Args:
        url: The URL as sent in the task.
        task_id: The task id.
        tag: The task tag (``None`` -> empty string).

    Returns:
        The URL to call.
    """
    url = url.replace("#", "%23")
    return url.replace("$id", task_id).replace("$tag", urllib.parse.quote(tag or "", safe=""))


def is_loopback_url(url: str) -> bool:
    """Tell whether a URL targets this machine over http(s).

    Args:
        url: The URL.

    Returns:
        ``True`` for ``http(s)://localhost`` or a loopback IP literal.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True)
class Delivery:
    """Outcome of one callback.

    Attributes:
        kind: ``pingback`` or ``postback``.
        url: The URL called (after substitution).
        delivered: Whether the receiver answered 2xx.
        http_status: The receiver's HTTP status, if any.
        error: Why delivery failed, if it did.
    """

    kind: str
    url: str
    delivered: bool
    http_status: int | None = None
    error: str | None = None


def deliver(kind: str, url: str, body: bytes | None, timeout: float) -> Delivery:
    """Send one pingback (GET) or postback (gzip-compressed JSON POST).

    Args:
        kind: ``pingback`` or ``postback``.
        url: Target URL (already substituted).
        body: The JSON envelope for a postback; ignored for a pingback.
        timeout: Seconds allowed.

    Returns:
        The outcome.
    """
    if not is_loopback_url(url):
        return Delivery(kind, url, False, error="refused: not a loopback host")
    if kind == "postback":
        request = urllib.request.Request(  # noqa: S310 - scheme checked by is_loopback_url
            url,
            data=gzip.compress(body or b""),
            method="POST",
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    else:
        request = urllib.request.Request(url, method="GET")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read()
    except urllib.error.HTTPError as exc:
        return Delivery(kind, url, False, http_status=exc.code, error=f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        return Delivery(kind, url, False, error=type(exc).__name__)
    return Delivery(kind, url, 200 <= status < 300, http_status=status)
