"""A Standard batch is posted together but traced one by one: one LangChain run a prompt.

Callbacks, LangSmith and ``get_usage_metadata_callback`` see each prompt as its own run,
opened before posting and closed with its answer or error. The blocking and the async
callback managers differ, so these are the one sync and one async driver of that.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig

from langchain_dataforseo._standard.context import RunTrace

Outcome = AIMessage | Exception


def _run_setup(
    trace: RunTrace, config: RunnableConfig, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], tuple[Any, ...]]:
    params = {**trace.invocation_params(**kwargs), "method": "standard"}
    metadata = {**(config.get("metadata") or {}), **trace.ls_params(**kwargs)}
    configure = (
        config.get("callbacks"),
        trace.callbacks,
        trace.verbose,
        config.get("tags"),
        trace.tags,
        metadata,
        trace.metadata,
    )
    return params, {"name": config.get("run_name"), "run_id": config.get("run_id")}, configure


def start_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> list[CallbackManagerForLLMRun]:
    """Open one LangChain run per prompt (callbacks, LangSmith, usage callbacks)."""
    runs: list[CallbackManagerForLLMRun] = []
    for config, conversation in zip(configs, messages, strict=True):
        params, naming, configure = _run_setup(trace, config, kwargs)
        runs += CallbackManager.configure(*configure).on_chat_model_start(
            trace.serialized,
            [conversation],
            invocation_params=params,
            options={"stop": None},
            batch_size=len(messages),
            **naming,
        )
    return runs


async def astart_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> list[AsyncCallbackManagerForLLMRun]:
    """Async :func:`start_runs`."""
    runs: list[AsyncCallbackManagerForLLMRun] = []
    for config, conversation in zip(configs, messages, strict=True):
        params, naming, configure = _run_setup(trace, config, kwargs)
        runs += await AsyncCallbackManager.configure(*configure).on_chat_model_start(
            trace.serialized,
            [conversation],
            invocation_params=params,
            options={"stop": None},
            batch_size=len(messages),
            **naming,
        )
    return runs


def end_runs(runs: list[CallbackManagerForLLMRun], results: Sequence[Outcome]) -> None:
    """Close each run with its answer or its error."""
    for run, result in zip(runs, results, strict=True):
        if isinstance(result, Exception):
            run.on_llm_error(result)
        else:
            run.on_llm_end(LLMResult(generations=[[ChatGeneration(message=result)]]))


async def aend_runs(runs: list[AsyncCallbackManagerForLLMRun], results: Sequence[Outcome]) -> None:
    """Async :func:`end_runs`."""
    for run, result in zip(runs, results, strict=True):
        if isinstance(result, Exception):
            await run.on_llm_error(result)
        else:
            await run.on_llm_end(LLMResult(generations=[[ChatGeneration(message=result)]]))


@dataclass
class Traced:
    """The results a traced block sets, one per prompt: each run ends with its own."""

    results: list[Outcome] = field(default_factory=list)


@contextmanager
def traced_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> Iterator[Traced]:
    """Open one run per prompt; close each with its result, or all with the block's error."""
    runs, traced = start_runs(trace, configs, messages, kwargs), Traced()
    try:
        yield traced
    except Exception as error:
        end_runs(runs, [error] * len(runs))
        raise
    end_runs(runs, traced.results)


@asynccontextmanager
async def atraced_runs(
    trace: RunTrace,
    configs: list[RunnableConfig],
    messages: list[list[BaseMessage]],
    kwargs: dict[str, Any],
) -> AsyncIterator[Traced]:
    """Async :func:`traced_runs`."""
    runs, traced = await astart_runs(trace, configs, messages, kwargs), Traced()
    try:
        yield traced
    except Exception as error:
        await aend_runs(runs, [error] * len(runs))
        raise
    await aend_runs(runs, traced.results)
