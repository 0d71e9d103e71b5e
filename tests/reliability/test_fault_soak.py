"""Fault soak: 1,000 Live and 1,000 Standard prompts with injected faults (marked slow).

Faults: 10% task errors (5% 50000, 5% 50301), 3% 40202, 2% HTTP 500, 2% dropped
connections. Every prompt must end in an answer or an exception naming its code, none may
be missing, and the emulator's ledger must show that no prompt was charged twice.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOBudgetError,
    DataForSEOConnectionError,
    DataForSEOError,
    track_costs,
)
from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    EmulatorTransport,
)

pytestmark = pytest.mark.slow

FAULTS: dict[str, Any] = {
    "fault_task_error_50000": 0.05,
    "fault_task_error_50301": 0.05,
    "fault_rate_limit_40202": 0.03,
    "fault_http_500": 0.02,
    "fault_drop_connection": 0.02,
}
N = 1000


def model_over(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    return ChatDataForSEO(
        login="emulator-login",
        password="emulator-password",
        base_url="http://127.0.0.1",
        retry_base_delay=0.0,
        max_retries=3,
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        http_async_client=httpx.AsyncClient(transport=AsyncEmulatorTransport(emu)),
        **kwargs,
    )


def check_outcomes(results: list[Any]) -> tuple[list[AIMessage], list[DataForSEOError]]:
    assert len(results) == N  # nothing missing
    answered = [r for r in results if isinstance(r, AIMessage)]
    failed = [r for r in results if not isinstance(r, AIMessage)]
    assert len(answered) + len(failed) == N
    for error in failed:
        assert isinstance(error, DataForSEOError)
        # a DataForSEO code, or a connection that provably sent nothing
        assert error.status_code is not None or isinstance(error, DataForSEOConnectionError)
    return answered, failed


@pytest.mark.parametrize("path", ["in-process", "loopback"])
async def test_live_soak_every_prompt_accounted_for_and_charged_at_most_once(path: str) -> None:
    """In-process through a given httpx client; over loopback through the package's own
    pooled transport, where a dropped connection is a real one, after the request went out
    (so it is reported, not retried)."""
    emu = Emulator(EmulatorConfig(seed=21, **FAULTS))
    prompts = [f"Live soak prompt {i:04d} about brand visibility" for i in range(N)]
    if path == "in-process":
        results = await model_over(emu).abatch(prompts, return_exceptions=True)
    else:
        with EmulatorServer(emu, host="127.0.0.1", port=0) as server:
            model = ChatDataForSEO(
                login="emulator-login",
                password="emulator-password",
                base_url=server.base_url,
                retry_base_delay=0.0,
                max_retries=3,
            )
            results = await model.abatch(prompts, return_exceptions=True)
            await model.client.aclose()
    answered, failed = check_outcomes(results)
    if path == "loopback":  # real dropped connections reached the client, unretried
        assert any(isinstance(e, DataForSEOConnectionError) for e in failed)
    ledger = emu.ledger()
    ids = [c["id"] for c in ledger["charges"]]
    assert len(ids) == len(set(ids))  # no task charged twice
    assert sorted(ids) == sorted(m.response_metadata["task_id"] for m in answered)
    assert ledger["charged_total"] == pytest.approx(
        sum(m.response_metadata["cost"] for m in answered), abs=1e-6
    )
    assert sum(ledger["faults"].values()) > 100  # the faults really happened
    assert len(answered) > N * 0.9  # free faults were retried


async def test_standard_soak_posts_each_prompt_once_and_reconciles() -> None:
    emu = Emulator(EmulatorConfig(seed=22, task_latency=0.2, **FAULTS))
    model = model_over(emu, method="standard")
    prompts = [f"Standard soak prompt {i:04d} about brand visibility" for i in range(N)]
    results = await model.abatch(prompts, return_exceptions=True)
    answered, failed = check_outcomes(results)
    ledger = emu.ledger()
    posted = [c for c in ledger["charges"] if c["method"] == "task_post"]
    assert len(posted) == N  # every prompt posted exactly once, whatever the retries
    assert len({c["id"] for c in posted}) == N
    status = Counter(c["status"] for c in posted)
    assert status["refunded"] == len(failed)  # failed tasks: prepayment refunded
    assert {e.status_code for e in failed} <= {50000, 50301}
    by_id = {c["id"]: c["cost"] for c in posted}
    for message in answered:
        assert by_id[message.response_metadata["task_id"]] == pytest.approx(
            message.response_metadata["cost"], abs=1e-9
        )
    assert model.spent == pytest.approx(ledger["charged_total"], abs=1e-6)


# -- the same soaks under a budget cap: the ledger reconciles with spent and track_costs --

CAPPED_FAULTS: dict[str, Any] = {**FAULTS, "fault_malformed_json": 0.03}


def reconciliation(label: str, ledger: dict[str, Any], model: ChatDataForSEO, costs: Any) -> str:
    line = (
        f"{label}: ledger charged ${ledger['charged_total']:.6f}; track_costs known "
        f"${costs.total_cost:.6f} + {costs.unknown_tasks} unknown at most "
        f"${costs.unknown_cost_max:.6f}; spent ${model.spent:.6f} "
        f"(unknown part ${model.unknown_cost_max:.6f}); max_cost ${model.max_cost}"
    )
    print(line)  # noqa: T201 - the reconciliation is part of the suite's output
    return line


@pytest.mark.parametrize("web_search", [False, True])
async def test_live_soak_under_a_cap_never_passes_it_and_reconciles(web_search: bool) -> None:
    emu = Emulator(EmulatorConfig(seed=23, live_latency=0.01, **CAPPED_FAULTS))
    cap = 4.0 if web_search else 0.7  # room for a few hundred calls, not for all
    model = model_over(emu, max_cost=cap, web_search=web_search or None, validate_model=False)
    prompts = [f"Capped soak prompt {i:04d} about brand visibility" for i in range(N)]
    with track_costs() as costs:
        results = await model.abatch(prompts, return_exceptions=True)
    assert len(results) == N
    answered = [r for r in results if isinstance(r, AIMessage)]
    refused = [r for r in results if isinstance(r, DataForSEOBudgetError)]
    assert all(isinstance(r, AIMessage | DataForSEOError | DataForSEOBudgetError) for r in results)
    assert refused  # the cap was reached
    assert answered
    ledger = emu.ledger()
    reconciliation(f"live web_search={web_search}", ledger, model, costs)
    assert ledger["charged_total"] <= cap  # the promise: never past max_cost
    known = sum(m.response_metadata["cost"] for m in answered)
    assert costs.total_cost == pytest.approx(known, abs=1e-6)
    corrupted = [c for c in ledger["charges"] if c.get("response_corrupted")]
    assert corrupted  # charged but unreadable answers happened
    assert costs.unknown_tasks >= len(corrupted)
    assert known <= ledger["charged_total"] + 1e-6
    assert ledger["charged_total"] <= known + costs.unknown_cost_max + 1e-6
    assert model.spent == pytest.approx(known + model.unknown_cost_max, abs=1e-6)
    assert model.unknown_cost_max == pytest.approx(costs.unknown_cost_max, abs=1e-6)


async def test_standard_soak_under_a_cap_holds_unknown_chunks_and_reconciles() -> None:
    faults = {**CAPPED_FAULTS, "fault_malformed_json": 0.2}  # whole task_post chunks unread
    emu = Emulator(EmulatorConfig(seed=24, task_latency=0.2, **faults))
    model = model_over(emu, method="standard", max_cost=11.0, validate_model=False)
    prompts = [f"Capped Standard prompt {i:04d} about brand visibility" for i in range(N)]
    with track_costs() as costs:
        results = await model.abatch(prompts, return_exceptions=True)
    assert len(results) == N
    ledger = emu.ledger()
    reconciliation("standard", ledger, model, costs)
    answered = [r for r in results if isinstance(r, AIMessage)]
    known = sum(m.response_metadata["cost"] for m in answered)
    assert costs.total_cost == pytest.approx(known, abs=1e-6)
    assert known <= ledger["charged_total"] + 1e-6
    assert ledger["charged_total"] <= model.spent + 1e-6  # nothing charged goes unreported
    assert ledger["charged_total"] <= known + costs.unknown_cost_max + 1e-6
    assert model.spent <= 11.0
    assert costs.unknown_tasks >= 100  # at least one chunk of 100 whose answer was unread
    assert model.unknown_cost_max >= costs.unknown_tasks * 0.0102 - 1e-6
    # the unknown chunks stay reserved: another 1,000 ($10.20 prepaid) no longer fit
    with pytest.raises(DataForSEOBudgetError):
        await model.abatch(prompts, return_exceptions=True)
