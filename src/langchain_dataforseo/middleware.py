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

The cost of a call is known only when DataForSEO answers, so the worst case of a tool call
is the largest of: the bound the tool itself gives for those arguments (this package's
tools have a ``max_call_cost(tool_input)`` method: what the call may be charged at most,
the same figure its own budget reserves), the figure you give (``tool_costs[name]``,
``default_tool_cost``), and the largest cost that tool has shown so far in the run. The
middleware learns the agent's tools from each model request. For a model call it is the
larger of ``model_call_cost`` and the largest model cost seen so far in the run. Tools of
other packages cost nothing unless you give a figure.

A tool call whose outcome is unknown counts at its bound, as the chat model's own budget
counts it: each tool call runs inside :func:`~langchain_dataforseo.track_costs`, where this
package's tools report every charge (a paid answer that could not be read too) and every
call of unknown outcome at the most it may cost; what the message does not report goes
into its ``response_metadata["budget_cost"]``. A failed call to another package's tool
that reports no cost counts at its worst case (``max_call_cost`` or your figure).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, NotRequired, Protocol, runtime_checkable

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from langchain_dataforseo.costs import CostTracker, track_costs

try:
    from langchain.agents.middleware.types import (
        AgentMiddleware,
        AgentState,
        ModelRequest,
        PrivateStateAttr,
        ToolCallRequest,
        hook_config,
    )
    from langgraph.channels.untracked_value import UntrackedValue
    from langgraph.runtime import Runtime
    from langgraph.types import Command
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    msg = (
        "langchain_dataforseo.middleware needs langchain>=1: "
        'pip install "langchain-dataforseo[agents]"'
    )
    raise ImportError(msg) from missing

__all__ = [
    "BUDGET_COST_KEY",
    "BudgetDecision",
    "BudgetState",
    "CostBoundedTool",
    "DataForSEOBudgetMiddleware",
    "call_cost",
    "counted_tool_message",
    "plan_tool_calls",
    "spent",
    "tool_call_bound",
]


BUDGET_COST_KEY = "budget_cost"
"""``ToolMessage.response_metadata`` key: what a call counts at when its artifact says less."""


@runtime_checkable
class CostBoundedTool(Protocol):
    """A tool that can say, before it runs, the most a call with given arguments may cost.

    This package's tools implement it; give any tool of yours a ``max_call_cost`` and the
    middleware uses it.
    """

    name: str

    def max_call_cost(self, tool_input: Mapping[str, Any]) -> float:
        """The most, in USD, that a call with ``tool_input`` may be charged.

        Args:
            tool_input: The call's arguments, as the model gave them.

        Returns:
            The bound (0.0 for arguments the tool would refuse before any request).
        """
        ...


def tool_call_bound(tool: object, tool_input: Mapping[str, Any]) -> float:
    """What ``tool`` says a call with ``tool_input`` may cost at most (0.0 if it cannot say).

    A tool whose bound fails for these arguments refuses them before any request too, so
    the call costs nothing.

    Args:
        tool: The tool the call names (any object).
        tool_input: The call's arguments.

    Returns:
        The bound in USD.
    """
    if not isinstance(tool, CostBoundedTool):
        return 0.0
    try:
        bound = tool.max_call_cost(tool_input)
    except (ValueError, TypeError):
        return 0.0
    if isinstance(bound, bool) or not isinstance(bound, int | float) or not bound >= 0:
        return 0.0
    return float(bound)


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
    held: object = None
    if isinstance(message, AIMessage):
        value = message.response_metadata.get("cost")
    elif isinstance(message, ToolMessage):
        if isinstance(message.artifact, Mapping):
            value = message.artifact.get("cost")
        held = message.response_metadata.get(BUDGET_COST_KEY)
    return max(_usd(value), _usd(held))


def _usd(value: object) -> float:
    """A reported cost as a number >= 0 (0.0 for anything that is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 0.0
    return max(float(value), 0.0)


def _reports_costs(tool: object) -> bool:
    """Whether a tool reports each charge to ``track_costs`` (this package's tools do)."""
    return type(tool).__module__.split(".")[0] == __name__.split(".")[0]


def counted_tool_message(
    result: ToolMessage | Command[Any], seen: CostTracker, tool: object, worst: float
) -> ToolMessage | Command[Any]:
    """A tool call's message, with what the call counts at when it says less (pure).

    Args:
        result: What the tool call gave the agent (a ``Command`` passes unchanged).
        seen: What ``track_costs`` saw during the call (charges, and calls of unknown
            outcome at their bound).
        tool: The tool called (this package's report every charge to ``track_costs``).
        worst: The call's worst case (its bound or your figure).

    Returns:
        The message, or a copy with ``response_metadata["budget_cost"]`` set.
    """
    if not isinstance(result, ToolMessage):
        return result
    charged = seen.total_cost + seen.unknown_cost_max
    if not _reports_costs(tool) and result.status == "error" and call_cost(result) == 0.0:
        charged = max(charged, worst)  # another package's failed call: unknown, at most
    if charged <= call_cost(result) + 1e-12:
        return result
    meta = {**result.response_metadata, BUDGET_COST_KEY: round(charged, 7)}
    return result.model_copy(update={"response_metadata": meta})


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
        estimate: The worst-case cost of the batch, up to and including the blocked call.
        worst: The worst-case cost of the blocked call alone (0.0 when none is blocked).
    """

    def __init__(self, blocked: dict[str, Any] | None, estimate: float, worst: float = 0.0) -> None:
        self.blocked = blocked
        self.estimate = estimate
        self.worst = worst


def plan_tool_calls(
    tool_calls: Sequence[Mapping[str, Any]],
    *,
    spent_so_far: float,
    max_cost: float,
    estimate: Mapping[str, float],
    bounds: Sequence[float] | None = None,
) -> BudgetDecision:
    """Decide whether a batch of tool calls can run within the cap (pure).

    Args:
        tool_calls: The calls of the last model message, in order.
        spent_so_far: USD spent in the run.
        max_cost: The cap.
        estimate: Worst-case cost by tool name.
        bounds: Worst-case cost of each call, in order (the tools' own bounds); a call
            counts the larger of its bound and its tool's ``estimate``.

    Returns:
        The decision: the first call that would take the total past ``max_cost``, if any.
    """
    total = spent_so_far
    for position, call in enumerate(tool_calls):
        bound = bounds[position] if bounds is not None and position < len(bounds) else 0.0
        worst = max(estimate.get(str(call.get("name")), 0.0), bound)
        total += worst
        if total > max_cost + 1e-12:
            return BudgetDecision(dict(call), total - spent_so_far, worst)
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
        self.known_tools: dict[str, object] = {}
        """The agent's tools by name, as its model requests listed them."""

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

    def _learn_tools(self, request: ModelRequest[Any]) -> None:
        self.known_tools.update(
            (str(name), tool)
            for tool in request.tools
            if isinstance(name := getattr(tool, "name", None), str)
        )

    def _worst(self, request: ToolCallRequest) -> tuple[object, float]:
        """The tool a call names and its worst case: its bound or your figure."""
        call = request.tool_call
        name = str(call.get("name"))
        tool = request.tool if request.tool is not None else self.known_tools.get(name)
        figure = self.tool_costs.get(name, self.default_tool_cost)
        return tool, max(figure, tool_call_bound(tool, call.get("args") or {}))

    # -- hooks -----------------------------------------------------------------------------

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]],
    ) -> ToolMessage | Command[Any]:
        """Run the tool call, counting what it was charged (unknown outcomes at their bound)."""
        tool, worst = self._worst(request)
        with track_costs() as seen:
            result = handler(request)
        return counted_tool_message(result, seen, tool, worst)

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        """Async :meth:`wrap_tool_call`."""
        tool, worst = self._worst(request)
        with track_costs() as seen:
            result = await handler(request)
        return counted_tool_message(result, seen, tool, worst)

    def wrap_model_call(
        self, request: ModelRequest[Any], handler: Callable[[ModelRequest[Any]], Any]
    ) -> Any:
        """Learn the agent's tools (to ask them their bounds), then make the call unchanged."""
        self._learn_tools(request)
        return handler(request)

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[Any]],
    ) -> Any:
        """Async :meth:`wrap_model_call`."""
        self._learn_tools(request)
        return await handler(request)

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
        bounds = [
            tool_call_bound(self.known_tools.get(str(c.get("name"))), c.get("args") or {})
            for c in last.tool_calls
        ]
        so_far = spent(run)
        decision = plan_tool_calls(
            last.tool_calls,
            spent_so_far=so_far,
            max_cost=self.max_cost,
            estimate=estimate,
            bounds=bounds,
        )
        if decision.blocked is None:
            return None
        blocked = decision.blocked
        what = f"the tool call {blocked.get('name')!r} (and the others of its batch)"
        stop = self._stop(so_far, what, decision.worst)
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
