"""run_panel / arun_panel gather their keywords into one RunSettings, checked once.

Both entry points refuse a bad setting the same way (the package's input error naming the
setting, its limit and the value), before the store is touched or a model is built.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from langchain_dataforseo import DataForSEOInputError
from langchain_dataforseo.visibility import Panel, VisibilityStore, arun_panel, run_panel
from langchain_dataforseo.visibility._run import MIN_LEASE_SECONDS, RunSettings

PANEL = Panel("p", ["Which CRM?"], "HubSpot", engines={"chat_gpt": "gpt-4.1-mini"}, samples=1)


@pytest.mark.parametrize(
    ("keywords", "field", "limit", "actual"),
    [
        ({"method": "fast"}, "method", ("standard", "live"), "fast"),
        ({"max_cost": -1.0}, "max_cost", ">= 0", -1.0),
        ({"concurrency": 0}, "concurrency", ">= 1", 0),
        ({"tasks_per_post": 101}, "tasks_per_post", 100, 101),
        ({"lease_seconds": 5.0}, "lease_seconds", f">= {MIN_LEASE_SECONDS:g}", 5.0),
        ({"model_name": "x"}, "model_name", "not reserved", "model_name"),
    ],
)
def test_both_entry_points_refuse_a_setting_alike_and_touch_no_store(
    tmp_path: Path, keywords: dict[str, Any], field: str, limit: object, actual: object
) -> None:
    with VisibilityStore(tmp_path / "runs.db") as store:
        with pytest.raises(DataForSEOInputError) as sync:
            run_panel(PANEL, store, run_id="r", **keywords)
        with pytest.raises(DataForSEOInputError) as in_loop:
            asyncio.run(arun_panel(PANEL, store, run_id="r", **keywords))
        assert store.runs() == []
    for caught in (sync.value, in_loop.value):
        assert (caught.field, caught.limit, caught.actual) == (field, limit, actual)
    assert str(sync.value) == str(in_loop.value)


def test_a_setting_of_the_wrong_type_is_an_input_error_not_a_validation_error() -> None:
    with pytest.raises(DataForSEOInputError) as caught:
        RunSettings.of(concurrency="many")
    assert caught.value.field == "concurrency"
    assert caught.value.actual == "many"


def test_the_settings_are_built_once_and_frozen() -> None:
    settings = RunSettings.of(max_cost=5.0, model_options={"poll_interval": 0.1})
    assert (settings.max_cost, settings.concurrency, settings.method) == (5.0, 30, "standard")
    assert settings.model_options == {"poll_interval": 0.1}
    with pytest.raises(Exception):  # noqa: B017, PT011 - pydantic's frozen-instance error
        settings.max_cost = 9.0  # type: ignore[misc]


def test_the_settings_repr_never_shows_the_password_or_a_callback_url() -> None:
    secret, hook = "s3cr3t-Pa55", "https://h.example/cb?secret=k3y-in-url&id=$id"
    settings = RunSettings.of(
        max_cost=1.0, model_options={"password": secret, "postback_url": hook}
    )
    assert settings.model_options["password"] == secret  # kept, only not shown
    for text in (repr(settings), str(settings)):
        assert secret not in text
        assert "k3y-in-url" not in text
