"""``track_costs`` with Standard tasks still pending: prepaid, bounded, settled when collected.

A Standard task is charged its prepayment ($0.0102) when posted. Until it is collected its
final cost is unknown but bounded by its reservation, so ``track_costs`` must count it:
the prepayment in ``total_cost`` and the rest of its bound in ``unknown_cost_max``, so that
``total_cost + unknown_cost_max`` is never below what the emulator's ledger charges.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage

from langchain_dataforseo import ChatDataForSEO, DataForSEOTaskPendingError, track_costs
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport

AUTH = {"login": "emulator-login", "password": "emulator-password"}
PREPAID = 0.0102


def standard(emu: Emulator, **kwargs: Any) -> ChatDataForSEO:
    return ChatDataForSEO(
        **AUTH,
        base_url="http://127.0.0.1",
        method="standard",
        poll_interval=0.05,
        retry_base_delay=0.0,
        http_client=httpx.Client(transport=EmulatorTransport(emu)),
        **kwargs,
    )


def final_charge(emu: Emulator) -> float:
    """What the emulator will have charged once every task settles (waits for them)."""
    return float(emu.ledger()["charged_total"])


def test_tasks_submitted_and_not_collected_are_in_the_interval() -> None:
    emu = Emulator(EmulatorConfig(task_latency=0.5))
    model = standard(emu, max_cost_per_call=0.05)
    with track_costs() as costs:
        handles = model.submit(["Best CRM?", "Best invoicing tool?", "Best time tracker?"])
        charged_now = final_charge(emu)
        # Never below what was charged, nor what may still be charged (the reservations).
        assert costs.total_cost + costs.unknown_cost_max >= charged_now
        assert costs.total_cost + costs.unknown_cost_max == pytest.approx(3 * 0.05)
        assert costs.total_cost == pytest.approx(3 * PREPAID)  # the prepayments, known
        assert costs.pending_tasks == 3
        assert costs.tasks == 0
        assert "3 pending" in str(costs)
        messages = model.collect(handles)
    assert all(isinstance(m, AIMessage) for m in messages)
    assert costs.pending_tasks == 0
    assert costs.unknown_cost_max == 0.0
    assert costs.tasks == 3
    assert costs.total_cost == pytest.approx(final_charge(emu), abs=1e-6)  # settled
    assert set(costs.by_model) == {("chat_gpt", messages[0].response_metadata["model_name"])}


def test_a_task_not_finished_within_max_wait_stays_pending_at_its_bound() -> None:
    emu = Emulator(EmulatorConfig(task_latency=30.0))
    model = standard(emu, max_wait=0.2, max_cost_per_call=0.03)
    with track_costs() as costs:
        with pytest.raises(DataForSEOTaskPendingError):
            model.invoke("Which CRM do agencies use?")
        assert costs.pending_tasks == 1
        assert costs.total_cost == pytest.approx(PREPAID)
        assert costs.total_cost + costs.unknown_cost_max == pytest.approx(model.spent)
        assert costs.unknown_cost_max == pytest.approx(0.03 - PREPAID)
