"""``StoreJournal``: the visibility store as a Standard ``SubmitJournal``.

``ChatDataForSEO.submit(..., journal=...)`` appends four kinds of records (JSON objects
with ``v``, ``event`` and ``tags`` or ``handles``): ``intent`` before a chunk is posted,
``created`` with the handles that came back, ``in_doubt`` for tags whose post got no
verdict, ``refused`` for tags the API did not create. This adapter writes each into the
run's task rows (one SQLite transaction, committed before ``append`` returns) and replays
the rows as records, so the package's resume logic and the store agree by tag:

- ``intent`` -> :meth:`VisibilityStore.record_intent` (the task is in doubt until a
  handle comes); with an ``owner`` (a driver of a run shared by several),
  :meth:`VisibilityStore.claim_intent`: the lease and the intent in one transaction, and
  a tag another driver holds is refused before anything is posted;
- ``created`` -> :meth:`VisibilityStore.record_handles`, with the Standard prepayment as
  the task's cost until its result settles it;
- ``in_doubt`` -> nothing more (the intent without a task id already says it);
- ``refused`` -> :meth:`VisibilityStore.clear_intent` (nothing was created).

:meth:`StoreJournal.records` gives a ``created`` record for every pending task with a task
id and an ``intent`` record for every task in doubt, limited to the tags given.

One journal serves one *family* of tasks: ``llm_responses`` (the API surface, default)
or ``llm_scraper`` (the app surface). Its records carry that family and cover only the
tasks of its surface, and a record of the other family is refused, so an LLM Scraper
submit and an LLM Responses submit never take each other's tasks for their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from langchain_dataforseo._api.cost_bounds import STANDARD_PREPAID_USD
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import (
    LLM_RESPONSES,
    LLM_SCRAPER,
    created_record,
    intent_record,
    record_family,
)
from langchain_dataforseo.errors import DataForSEOBudgetError
from langchain_dataforseo.visibility._errors import LeaseLostError, VisibilityStoreError
from langchain_dataforseo.visibility._store import VisibilityStore
from langchain_dataforseo.visibility._store_tasks import LEASE_SECONDS
from langchain_dataforseo.visibility._surfaces import API, APP

SURFACE_OF_FAMILY: Final = {LLM_RESPONSES: API, LLM_SCRAPER: APP}
"""The surface whose tasks each journal family covers."""


class StoreJournal:
    """A ``SubmitJournal`` over one run of a :class:`VisibilityStore`.

    Args:
        store: The store (its writes are committed before :meth:`append` returns).
        run_id: The run the tags belong to.
        tags: Limit :meth:`records` to these tags (the tasks of one submission); all the
            run's tags when ``None``.
        prepaid: The cost recorded for a created task until its result settles it
            (the Standard prepayment, $0.0102; for the LLM Scraper what its post reserved).
        family: ``llm_responses`` (API-surface tasks, default) or ``llm_scraper``
            (app-surface tasks).
        owner: The driver whose leases this journal's intents take (``None``: no leases,
            as a single driver).
        lease_seconds: How long those leases hold unless renewed.
        reserve: Tag -> what posting the task may cost at most, recorded with its intent
            (with an ``owner``).
        max_cost: The run's cap across all its drivers: an intent that would take the
            run's spend past it raises :class:`DataForSEOBudgetError` (with an ``owner``).

    Raises:
        VisibilityStoreError: For an unknown run id or family.
    """

    def __init__(
        self,
        store: VisibilityStore,
        run_id: str,
        tags: Iterable[str] | None = None,
        *,
        prepaid: float = STANDARD_PREPAID_USD,
        family: str = LLM_RESPONSES,
        owner: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        reserve: Mapping[str, float] | None = None,
        max_cost: float | None = None,
    ) -> None:
        store.check_run(run_id)
        if family not in SURFACE_OF_FAMILY:
            msg = f"family must be one of {', '.join(SURFACE_OF_FAMILY)}, got {family!r}."
            raise VisibilityStoreError(
                msg, field="family", limit=tuple(SURFACE_OF_FAMILY), actual=family
            )
        self.family = family
        self.surface = SURFACE_OF_FAMILY[family]
        self.store = store
        self.run_id = run_id
        self.tags = None if tags is None else frozenset(tags)
        self.prepaid = prepaid
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.reserve = dict(reserve or {})
        self.max_cost = max_cost

    def __repr__(self) -> str:
        return f"StoreJournal({self.store.url!r}, run_id={self.run_id!r}, family={self.family!r})"

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one journal record into the run's task rows (committed on return).

        Args:
            record: A record written by ``submit``.

        Raises:
            VisibilityStoreError: For an unknown event, a tag not in the run, or a task
                no longer pending.
        """
        family = record_family(record)
        if family != self.family:
            msg = (
                f"a {family} journal record cannot go into the {self.family} journal of run "
                f"{self.run_id!r} (its tasks are the {self.surface} surface's)."
            )
            raise VisibilityStoreError(msg, field="family", limit=self.family, actual=family)
        event = record.get("event")
        tags = [t for t in record.get("tags") or [] if isinstance(t, str)]
        self._check_surface(tags + [h.get("tag") for h in record.get("handles") or []])
        if event == "intent":
            self._intent(tags)
        elif event == "created":
            pairs = []
            for handle in record.get("handles") or []:
                tag, task_id = handle.get("tag"), handle.get("id")
                if not isinstance(tag, str) or not isinstance(task_id, str):
                    msg = f"a created handle needs a tag and an id, got {handle!r}."
                    raise VisibilityStoreError(msg, field="tag", actual=handle)
                pairs.append((tag, task_id))
            recovered = record.get("recovered") is True  # found by tag: echo checked
            self.store.record_handles(self.run_id, pairs, cost=self.prepaid, recovered=recovered)
        elif event == "refused":
            self.store.clear_intent(self.run_id, tags, reserve=self.reserve)
        elif event != "in_doubt":
            msg = f"unknown journal event {event!r}."
            raise VisibilityStoreError(
                msg, field="event", limit=("intent", "created", "in_doubt", "refused"), actual=event
            )

    def records(self) -> list[dict[str, Any]]:
        """The run's pending tasks as journal records: handles known, and tags in doubt.

        Returns:
            ``created`` records (one per engine) for tasks with a task id, then ``intent``
            records (one per engine) for tasks whose intent was recorded without one.
        """
        created: dict[str, list[TaskHandle]] = {}
        doubt: dict[str, list[str]] = {}
        if self.tags is None:
            tasks = self.store.tasks(self.run_id, "pending")
        else:
            tasks = self.store.tasks_tagged(self.run_id, self.tags)
        for task in tasks:
            if task.status != "pending" or task.surface != self.surface:
                continue
            if task.task_id is not None:
                handle = TaskHandle(task.task_id, task.engine, tag=task.tag, model_name=task.model)
                created.setdefault(task.engine, []).append(handle)
            elif task.intent_at is not None:
                doubt.setdefault(task.engine, []).append(task.tag)
        family = self.family
        out = [created_record(handles, family=family) for handles in created.values()]
        out += [intent_record(engine, tags, family=family) for engine, tags in doubt.items()]
        return out

    def _intent(self, tags: list[str]) -> None:
        """Record the intent; under a lease owner, only for tasks it can take (else refuse)."""
        if self.owner is None:
            self.store.record_intent(self.run_id, tags)
            return
        spent_before = self.store.run_spend(self.run_id)
        taken = self.store.claim_intent(
            self.run_id,
            tags,
            self.owner,
            lease_seconds=self.lease_seconds,
            reserve=self.reserve,
            max_cost=self.max_cost,
            whole=True,  # the chunk is posted in one request: all its tasks, or none
        )
        if taken or not tags:
            return
        needed = sum(self.reserve.get(tag, 0.0) for tag in tags)
        if self.max_cost is not None and spent_before + needed > self.max_cost + 1e-9:
            msg = (
                f"Budget: run {self.run_id!r} has spent or reserved ${spent_before:.4f} of its "
                f"max_cost ${self.max_cost:.4f} (all its drivers); this chunk's "
                f"{len(tags)} task(s) would reserve ${needed:.4f}. Nothing was posted."
            )
            raise DataForSEOBudgetError(
                msg, spent=spent_before, max_cost=self.max_cost, needed=needed
            )
        holders = self.store.held_elsewhere(self.run_id, self.owner)
        msg = (
            f"task(s) of run {self.run_id!r} (of {tags[0]!r}...) are held by another driver "
            f"or already posted; nothing was posted for this chunk. Holders: "
            f"{', '.join(holders) or 'none live'}."
        )
        raise LeaseLostError(msg, field="lease", limit=self.owner, actual=tags[0])

    def _check_surface(self, tags: Iterable[object]) -> None:
        """Refuse tags of the other surface's tasks (nothing is written then)."""
        wanted = [t for t in tags if isinstance(t, str)]
        for task in self.store.tasks_tagged(self.run_id, wanted):
            if task.surface != self.surface:
                msg = (
                    f"task {task.tag!r} is an {task.surface}-surface task; the {self.family} "
                    "journal writes only the tasks of its own surface."
                )
                raise VisibilityStoreError(
                    msg, field="family", limit=self.surface, actual=task.surface
                )
