"""The Standard method's public calls on the chat model: submit, collect, and batches.

A mixin of :class:`~langchain_dataforseo.chat_models.ChatDataForSEO`: each method asks the
model for its collaborators (:meth:`_standard`, :meth:`_run_trace`, the catalogue records)
and hands them to :mod:`.runner`; nothing here reads the model's fields.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import get_config_list

from langchain_dataforseo._standard.handle import RECOVER_WAIT_SECONDS

if TYPE_CHECKING:  # the queue itself is loaded by the first Standard call (import cost)
    from langchain_dataforseo._api.catalogue import ModelRecord
    from langchain_dataforseo._standard import runner
    from langchain_dataforseo._standard.context import RunTrace, StandardContext
    from langchain_dataforseo._standard.handle import TaskHandle
    from langchain_dataforseo._standard.journal import SubmitJournal


@dataclass(frozen=True)
class _BatchCall:
    """A Standard submission or batch, checked and laid out, before its first I/O."""

    ctx: StandardContext
    resume: runner.Resume
    stop: list[str] | None
    messages: list[list[BaseMessage]]
    configs: list[RunnableConfig]

    def submit_args(
        self, options: dict[str, Any], records: list[ModelRecord] | None, return_exceptions: bool
    ) -> tuple[Any, ...]:
        """The positional arguments of ``runner.submit`` / ``runner.asubmit``."""
        return (
            self.ctx,
            self.messages,
            self.stop,
            options,
            records,
            return_exceptions,
            self.resume,
        )


def _checked(
    results: list[AIMessage | Exception], return_exceptions: bool
) -> list[AIMessage | Exception]:
    """A batch's results; one error when some failed and exceptions are not returned."""
    from langchain_dataforseo._standard import runner

    runner.raise_if_incomplete(results, return_exceptions)
    return results


class StandardHost(Protocol):
    """What the mixin needs from the model it is mixed into."""

    def _standard(self) -> StandardContext: ...

    def _run_trace(self) -> RunTrace: ...

    def _records(self) -> list[ModelRecord] | None: ...

    async def _arecords(self) -> list[ModelRecord] | None: ...

    def _as_messages(self, inputs: Sequence[LanguageModelInput]) -> list[list[BaseMessage]]: ...


class StandardMethods:
    """``submit`` / ``collect`` (and async), and the Standard branch of ``batch``."""

    def submit(
        self: StandardHost,
        inputs: Sequence[LanguageModelInput],
        *,
        return_exceptions: bool = False,
        tags: Sequence[str] | None = None,
        journal: str | os.PathLike[str] | SubmitJournal | None = None,
        repost_in_doubt: bool = False,
        recover_wait: float = RECOVER_WAIT_SECONDS,
        **kwargs: Any,
    ) -> list[TaskHandle | Exception]:
        """Post prompts with the Standard method and return at once, without waiting.

        Every task is checked before anything is posted; up to 100 go in one request.
        Untagged tasks get a deterministic tag, so results can always be matched to
        prompts. Save the handles (``handle.to_dict()``) to collect later, even from
        another process: results stay retrievable for 30 days.

        Args:
            inputs: Prompts or message lists.
            return_exceptions: Put each failure in place instead of raising.
            tags: One tag per input (instead of ``tag=``, which gives every task the
                same one); each is checked like ``tag`` (at most 255 characters).
            journal: A file path (or any ``SubmitJournal``) where each chunk's tags are
                written before it is posted and its handles as soon as they come back.
                Run again with the same journal: known tasks are not posted again, and
                tasks in doubt are looked up by tag (see docs/standard.md).
            repost_in_doubt: Post again the tasks in doubt that the look-up did not find
                (they may then be paid twice).
            recover_wait: Seconds to look for tasks in doubt in ``tasks_ready``.
            **kwargs: Per-call options, as for ``invoke`` (``stop`` included).

        Returns:
            One :class:`TaskHandle` (or exception) per input, in order.

        Raises:
            DataForSEOInputError: Invalid input (nothing is posted).
            DataForSEOSubmitError: Some tasks were not created or are in doubt
                (``DataForSEOTaskInDoubtError``); ``.handles`` holds those that were.
            DataForSEOBudgetError: The prepayments would exceed ``max_cost``.
        """
        from langchain_dataforseo._standard import runner

        call = StandardMethods._setup(
            self, inputs, None, journal, repost_in_doubt, recover_wait, kwargs
        )
        args = call.submit_args(kwargs, self._records(), return_exceptions)
        return runner.submit(*args, tags=tags)

    async def asubmit(
        self: StandardHost,
        inputs: Sequence[LanguageModelInput],
        *,
        return_exceptions: bool = False,
        tags: Sequence[str] | None = None,
        journal: str | os.PathLike[str] | SubmitJournal | None = None,
        repost_in_doubt: bool = False,
        recover_wait: float = RECOVER_WAIT_SECONDS,
        **kwargs: Any,
    ) -> list[TaskHandle | Exception]:
        """Async :meth:`submit` (chunks of 100 are posted concurrently).

        Args:
            inputs: Prompts or message lists.
            return_exceptions: Put each failure in place instead of raising.
            tags: As for :meth:`submit`.
            journal: As for :meth:`submit`.
            repost_in_doubt: As for :meth:`submit`.
            recover_wait: As for :meth:`submit`.
            **kwargs: Per-call options, as for ``ainvoke`` (``stop`` included).

        Returns:
            One :class:`TaskHandle` (or exception) per input, in order.
        """
        from langchain_dataforseo._standard import runner

        call = StandardMethods._setup(
            self, inputs, None, journal, repost_in_doubt, recover_wait, kwargs
        )
        args = call.submit_args(kwargs, await self._arecords(), return_exceptions)
        return await runner.asubmit(*args, tags=tags)

    def collect(
        self: StandardHost,
        handles: Sequence[TaskHandle | Mapping[str, Any]],
        *,
        return_exceptions: bool = False,
        max_wait: float | None = None,
    ) -> list[AIMessage | Exception]:
        """Collect Standard results, for handles from :meth:`submit` or saved ones.

        Nothing is posted: ``tasks_ready`` and ``task_get`` are free. Tasks already
        collected once are fetched directly (they are kept for 30 days).

        Args:
            handles: Handles, or their saved dicts (``handle.to_dict()``).
            return_exceptions: Put each failure in place instead of raising.
            max_wait: Seconds to wait (default ``self.max_wait``); unfinished tasks become
                ``DataForSEOTaskPendingError`` naming their id and handle.

        Returns:
            One ``AIMessage`` (or exception) per handle, in order; ``cost`` is the net
            Standard charge ($0.0002 + ``money_spent``, the prepayment settled).

        Raises:
            DataForSEOBatchError: Without ``return_exceptions``, when any failed or is
                still running; it carries every result and the pending handles.
        """
        from langchain_dataforseo._standard import runner

        ctx = self._standard()
        items = runner.as_handles(handles)
        results = runner.outcomes(ctx, items, runner.collect_state(ctx, items, 0.0, max_wait))
        runner.raise_if_incomplete(results, return_exceptions)
        return results

    async def acollect(
        self: StandardHost,
        handles: Sequence[TaskHandle | Mapping[str, Any]],
        *,
        return_exceptions: bool = False,
        max_wait: float | None = None,
    ) -> list[AIMessage | Exception]:
        """Async :meth:`collect`.

        Args:
            handles: Handles, or their saved dicts.
            return_exceptions: Put each failure in place instead of raising.
            max_wait: Seconds to wait (default ``self.max_wait``).

        Returns:
            One ``AIMessage`` (or exception) per handle, in order.
        """
        from langchain_dataforseo._standard import runner

        ctx = self._standard()
        items = runner.as_handles(handles)
        state = await runner.acollect_state(ctx, items, 0.0, max_wait)
        results = runner.outcomes(ctx, items, state)
        runner.raise_if_incomplete(results, return_exceptions)
        return results

    def _setup(
        self: StandardHost,
        inputs: Sequence[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None,
        journal: str | os.PathLike[str] | SubmitJournal | None,
        repost_in_doubt: bool,
        recover_wait: float,
        kwargs: dict[str, Any],
    ) -> _BatchCall:
        """Everything a Standard submission or batch checks and builds before its first I/O."""
        from langchain_dataforseo._standard import runner

        ctx = self._standard()
        runner.require_standard(ctx)
        resume = runner.Resume.of(journal, repost_in_doubt, recover_wait)
        stop = kwargs.pop("stop", None)
        return _BatchCall(
            ctx, resume, stop, self._as_messages(inputs), get_config_list(config, len(inputs))
        )

    def _standard_batch(
        self: StandardHost,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None,
        return_exceptions: bool,
        journal: str | os.PathLike[str] | SubmitJournal | None,
        repost_in_doubt: bool,
        recover_wait: float,
        kwargs: dict[str, Any],
    ) -> list[AIMessage | Exception]:
        """A Standard ``batch``: posted together, traced as one run per prompt, collected."""
        from langchain_dataforseo._standard import runner

        call = StandardMethods._setup(
            self, inputs, config, journal, repost_in_doubt, recover_wait, kwargs
        )
        with runner.traced_runs(self._run_trace(), call.configs, call.messages, kwargs) as run:
            args = call.submit_args(kwargs, self._records(), return_exceptions)
            run.results = runner.submit_and_collect(*args, for_batch=True)
        return _checked(run.results, return_exceptions)

    async def _astandard_batch(
        self: StandardHost,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None,
        return_exceptions: bool,
        journal: str | os.PathLike[str] | SubmitJournal | None,
        repost_in_doubt: bool,
        recover_wait: float,
        kwargs: dict[str, Any],
    ) -> list[AIMessage | Exception]:
        """Async :meth:`_standard_batch`."""
        from langchain_dataforseo._standard import runner

        call = StandardMethods._setup(
            self, inputs, config, journal, repost_in_doubt, recover_wait, kwargs
        )
        trace = self._run_trace()
        async with runner.atraced_runs(trace, call.configs, call.messages, kwargs) as run:
            args = call.submit_args(kwargs, await self._arecords(), return_exceptions)
            run.results = await runner.asubmit_and_collect(*args, for_batch=True)
        return _checked(run.results, return_exceptions)

    def _standard_one(
        self: StandardHost,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> list[AIMessage | Exception]:
        """``invoke`` on the Standard method: post one task and poll until it is done."""
        from langchain_dataforseo._standard import runner

        ctx = self._standard()
        return runner.submit_and_collect(ctx, [messages], stop, kwargs, self._records(), False)

    async def _astandard_one(
        self: StandardHost,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> list[AIMessage | Exception]:
        """Async :meth:`_standard_one`."""
        from langchain_dataforseo._standard import runner

        ctx = self._standard()
        records = await self._arecords()
        return await runner.asubmit_and_collect(ctx, [messages], stop, kwargs, records, False)
