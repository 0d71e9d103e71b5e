"""A budget for langchain 1.x agents: stop a run before its calls would cost more than a cap.

Needs ``langchain>=1`` (the ``agents`` extra: ``pip install "langchain-dataforseo[agents]"``).

:class:`DataForSEOBudgetMiddleware` adds up, for the current run, the USD cost of every
model call (``AIMessage.response_metadata["cost"]``, as ``ChatDataForSEO`` reports it) and
of every tool call (``ToolMessage.artifact["cost"]``, as this package's tools report it).
Before each model call and before each batch of tool calls it checks that the spend so
far plus the worst case of the next call(s) stays within ``max_cost``; when it would not,
it ends the run cleanly: pending tool calls get an error ``ToolMessage`` (they are not
run, so nothing is charged for them) and a final ``AIMessage`` says what was spent, what
the cap is and which call was not made.

The worst case of a call is not known before DataForSEO answers, so it is estimated as
the larger of the figure you give (``model_call_cost``, ``tool_costs[name]``,
``default_tool_cost``) and the largest cost that call has shown so far in the run. Give
worst-case figures when a single call must never overshoot the cap; with the defaults
(0.0) a call that costs more than it did before can overshoot by that difference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, NotRequired

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

try:
    from langchain.agents.middleware.types import (
        AgentMiddleware,
        AgentState,
        PrivateStateAttr,
        hook_config,
    )
    from langgraph.channels.untracked_value import UntrackedValue
    from langgraph.runtime import Runtime
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    msg = (
        "langchain_dataforseo.middleware needs langchain>=1: "
        'pip install "langchain-dataforseo[agents]"'
    )
    raise ImportError(msg) from missing

__all__ = [
    "BudgetDecision",
    "BudgetState",
    "DataForSEOBudgetMiddleware",
    "call_cost",
    "plan_tool_calls",
    "spent",
]


class BudgetState(AgentState[Any]):
    """Agent state plus where the current run's messages start (not checkpointed)."""

    budget_run_start: NotRequired[Annotated[int, UntrackedValue, PrivateStateAttr]]


def call_cost(message: AnyMessage) -> float:
    """The USD a message says its call cost: model ``response_metadata`` or tool artifact.

    Args:
        message: Any message of the agent's state.

    Returns:
        The cost, 0.0 when the message reports none (or a value that is not a number).
    """
    value: object = None
    if isinstance(message, AIMessage):
        value = message.response_metadata.get("cost")
    elif isinstance(message, ToolMessage) and isinstance(message.artifact, Mapping):
        value = message.artifact.get("cost")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 0.0
    return max(float(value), 0.0)


def spent(messages: Sequence[AnyMessage]) -> float:
    """The total cost of the calls behind ``messages``."""
    return sum(call_cost(m) for m in messages)


def _largest(messages: Sequence[AnyMessage], kind: type, name: str | None = None) -> float:
    costs = [
        call_cost(m)
        for m in messages
        if isinstance(m, kind) and (name is None or getattr(m, "name", None) == name)
    ]
    return max(costs, default=0.0)


class BudgetDecision:
    """Which of a batch of tool calls fit the budget (see :func:`plan_tool_calls`).

    Attributes:
        blocked: The first call that would exceed the cap, or ``None`` when all fit.
        estimate: The worst-case cost of the whole batch.
    """

    def __init__(self, blocked: dict[str, Any] | None, estimate: float) -> None:
        self.blocked = blocked
        self.estimate = estimate


def plan_tool_calls(
    tool_calls: Sequence[Mapping[str, Any]],
    *,
    spent_so_far: float,
    max_cost: float,
    estimate: Mapping[str, float],
) -> BudgetDecision:
    """Decide whether a batch of tool calls can run within the cap (pure).

    Args:
        tool_calls: The calls of the last model message, in order.
        spent_so_far: USD spent in the run.
        max_cost: The cap.
        estimate: Worst-case cost by tool name.

    Returns:
        The decision: the first call that would take the total past ``max_cost``, if any.
    """
    total = spent_so_far
    for call in tool_calls:
        total += estimate.get(str(call.get("name")), 0.0)
        if total > max_cost + 1e-12:
            return BudgetDecision(dict(call), total - spent_so_far)
    return BudgetDecision(None, total - spent_so_far)


class DataForSEOBudgetMiddleware(AgentMiddleware[BudgetState, Any, Any]):
    """End an agent run cleanly before a model or tool call would take it past ``max_cost``.

    Args:
        max_cost: The cap, in USD, for one run (one ``invoke``).
        model_call_cost: Worst-case USD of one model call (default 0.0: only the largest
            model cost seen so far in the run is assumed).
        tool_costs: Worst-case USD of one call, by tool name.
        default_tool_cost: Worst-case USD of a call to a tool not in ``tool_costs``.

    Example:
        .. code-block:: python

            from langchain.agents import create_agent
            from langchain_dataforseo.middleware import DataForSEOBudgetMiddleware

            agent = create_agent(
                model,
                tools=tools,
                middleware=[DataForSEOBudgetMiddleware(max_cost=0.50)],
            )
    """

    state_schema = BudgetState

    def __init__(
        self,
        max_cost: float,
        *,
        model_call_cost: float = 0.0,
        tool_costs: Mapping[str, float] | None = None,
        default_tool_cost: float = 0.0,
    ) -> None:
        super().__init__()
        for name, value in (
            ("max_cost", max_cost),
            ("model_call_cost", model_call_cost),
            ("default_tool_cost", default_tool_cost),
            *((f"tool_costs[{k!r}]", v) for k, v in (tool_costs or {}).items()),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                msg = f"{name} must be a number >= 0, got {value!r}."
                raise ValueError(msg)
        self.max_cost = float(max_cost)
        self.model_call_cost = float(model_call_cost)
        self.tool_costs = dict(tool_costs or {})
        self.default_tool_cost = float(default_tool_cost)

    # -- pure steps ------------------------------------------------------------------------

    @staticmethod
    def _run_messages(state: Mapping[str, Any]) -> list[AnyMessage]:
        messages: list[AnyMessage] = list(state.get("messages") or [])
        return messages[int(state.get("budget_run_start") or 0) :]

    def _stop(self, spent_usd: float, what: str, estimate: float) -> AIMessage:
        return AIMessage(
            content=(
                f"Stopped before {what}: the run has spent ${spent_usd:.4f} of its "
                f"${self.max_cost:.4f} budget (max_cost), and that call may cost up to "
                f"${estimate:.4f}, which would exceed it. Nothing more was charged."
            ),
            response_metadata={"budget_stop": True, "spent": spent_usd, "max_cost": self.max_cost},
        )

    # -- hooks -----------------------------------------------------------------------------

    def before_agent(self, state: BudgetState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Mark where this run's messages start (its input is already in the state)."""
        messages = list(state.get("messages") or [])
        return {"budget_run_start": len(messages)}

    async def abefore_agent(
        self, state: BudgetState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Async twin of :meth:`before_agent`."""
        return self.before_agent(state, runtime)

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: BudgetState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """End the run when the next model call would exceed the cap."""
        run = self._run_messages(state)
        so_far = spent(run)
        estimate = max(self.model_call_cost, _largest(run, AIMessage))
        if so_far + estimate > self.max_cost + 1e-12 or so_far > self.max_cost:
            return {
                "jump_to": "end",
                "messages": [self._stop(so_far, "the next model call", estimate)],
            }
        return None

    @hook_config(can_jump_to=["end"])
    async def abefore_model(
        self, state: BudgetState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Async twin of :meth:`before_model`."""
        return self.before_model(state, runtime)

    @hook_config(can_jump_to=["end"])
    def after_model(self, state: BudgetState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """End the run, without running them, when the model's tool calls would exceed the cap."""
        run = self._run_messages(state)
        last = next((m for m in reversed(run) if isinstance(m, AIMessage)), None)
        if last is None or not last.tool_calls:
            return None
        names = {str(c.get("name")) for c in last.tool_calls}
        estimate = {
            name: max(
                self.tool_costs.get(name, self.default_tool_cost), _largest(run, ToolMessage, name)
            )
            for name in names
        }
        so_far = spent(run)
        decision = plan_tool_calls(
            last.tool_calls, spent_so_far=so_far, max_cost=self.max_cost, estimate=estimate
        )
        if decision.blocked is None:
            return None
        blocked = decision.blocked
        what = f"the tool call {blocked.get('name')!r} (and the others of its batch)"
        stop = self._stop(so_far, what, estimate.get(str(blocked.get("name")), 0.0))
        refusals = [
            ToolMessage(
                content=(
                    f"Not run: the agent's budget (max_cost ${self.max_cost:.4f}) "
                    "would be exceeded."
                ),
                tool_call_id=call["id"],
                name=call.get("name"),
                status="error",
            )
            for call in last.tool_calls
        ]
        return {"jump_to": "end", "messages": [*refusals, stop]}

    @hook_config(can_jump_to=["end"])
    async def aafter_model(
        self, state: BudgetState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Async twin of :meth:`after_model`."""
        return self.after_model(state, runtime)
