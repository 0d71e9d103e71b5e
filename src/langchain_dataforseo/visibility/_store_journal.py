"""``StoreJournal``: the visibility store as a Standard ``SubmitJournal``.

``ChatDataForSEO.submit(..., journal=...)`` appends four kinds of records (JSON objects
with ``v``, ``event`` and ``tags`` or ``handles``): ``intent`` before a chunk is posted,
``created`` with the handles that came back, ``in_doubt`` for tags whose post got no
verdict, ``refused`` for tags the API did not create. This adapter writes each into the
run's task rows (one SQLite transaction, committed before ``append`` returns) and replays
the rows as records, so the package's resume logic and the store agree by tag:

- ``intent`` -> :meth:`VisibilityStore.record_intent` (the task is in doubt until a
  handle comes);
- ``created`` -> :meth:`VisibilityStore.record_handles`, with the Standard prepayment as
  the task's cost until its result settles it;
- ``in_doubt`` -> nothing more (the intent without a task id already says it);
- ``refused`` -> :meth:`VisibilityStore.clear_intent` (nothing was created).

:meth:`StoreJournal.records` gives a ``created`` record for every pending task with a task
id and an ``intent`` record for every task in doubt, limited to the tags given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from langchain_dataforseo._cost_bounds import STANDARD_PREPAID_USD
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import created_record, intent_record
from langchain_dataforseo.visibility._errors import VisibilityStoreError
from langchain_dataforseo.visibility._store import VisibilityStore


class StoreJournal:
    """A ``SubmitJournal`` over one run of a :class:`VisibilityStore`.

    Args:
        store: The store (its writes are committed before :meth:`append` returns).
        run_id: The run the tags belong to.
        tags: Limit :meth:`records` to these tags (the tasks of one submission); all the
            run's tags when ``None``.
        prepaid: The cost recorded for a created task until its result settles it
            (the Standard prepayment, $0.0102).
    """

    def __init__(
        self,
        store: VisibilityStore,
        run_id: str,
        tags: Iterable[str] | None = None,
        *,
        prepaid: float = STANDARD_PREPAID_USD,
    ) -> None:
        store.check_run(run_id)
        self.store = store
        self.run_id = run_id
        self.tags = None if tags is None else frozenset(tags)
        self.prepaid = prepaid

    def __repr__(self) -> str:
        return f"StoreJournal({str(self.store.path)!r}, run_id={self.run_id!r})"

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one journal record into the run's task rows (committed on return).

        Args:
            record: A record written by ``submit``.

        Raises:
            VisibilityStoreError: For an unknown event, a tag not in the run, or a task
                no longer pending.
        """
        event = record.get("event")
        tags = [t for t in record.get("tags") or [] if isinstance(t, str)]
        if event == "intent":
            self.store.record_intent(self.run_id, tags)
        elif event == "created":
            pairs = []
            for handle in record.get("handles") or []:
                tag, task_id = handle.get("tag"), handle.get("id")
                if not isinstance(tag, str) or not isinstance(task_id, str):
                    msg = f"a created handle needs a tag and an id, got {handle!r}."
                    raise VisibilityStoreError(msg, field="tag", actual=handle)
                pairs.append((tag, task_id))
            self.store.record_handles(self.run_id, pairs, cost=self.prepaid)
        elif event == "refused":
            self.store.clear_intent(self.run_id, tags)
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
            if task.status != "pending":
                continue
            if task.task_id is not None:
                handle = TaskHandle(task.task_id, task.engine, tag=task.tag, model_name=task.model)
                created.setdefault(task.engine, []).append(handle)
            elif task.intent_at is not None:
                doubt.setdefault(task.engine, []).append(task.tag)
        out = [created_record(handles) for handles in created.values()]
        out += [intent_record(engine, tags) for engine, tags in doubt.items()]
        return out
