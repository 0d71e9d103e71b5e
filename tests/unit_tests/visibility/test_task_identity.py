"""What identifies a panel task: its body, the digest in its tag, the echo check (pure)."""

from langchain_dataforseo.visibility import Panel
from langchain_dataforseo.visibility._store_base import echo_differs, task_body, task_digest


def panel(prompt: str = "Which CRM?", **settings):
    return Panel(
        "p",
        [prompt],
        {"name": "HubSpot"},
        [],
        {"chat_gpt": "gpt-4.1-mini"},
        samples=1,
        surfaces=["api", "app"],
        **settings,
    )


def test_the_body_is_what_is_sent_without_the_tag():
    body = task_body(panel(web_search=True), 0, "chat_gpt", "api")
    assert body == {"model_name": "gpt-4.1-mini", "user_prompt": "Which CRM?", "web_search": True}
    app = task_body(panel(), 0, "chat_gpt", "app")
    assert app["keyword"] == "Which CRM?"
    assert "tag" not in app


def test_the_digest_changes_with_the_run_the_prompt_and_any_setting():
    body = task_body(panel(), 0, "chat_gpt", "api")
    digests = {
        task_digest("r", body),
        task_digest("r2", body),
        task_digest("r", task_body(panel("Which CRM? "), 0, "chat_gpt", "api")),
        task_digest("r", task_body(panel(web_search=True), 0, "chat_gpt", "api")),
        task_digest("r", task_body(panel(), 0, "chat_gpt", "app")),
    }
    assert len(digests) == 5
    assert task_digest("r", body) == task_digest("r", dict(reversed(body.items())))


def test_the_echo_check_compares_only_what_both_sides_have():
    body = {"user_prompt": "Which  CRM?", "model_name": "gpt-4.1-mini", "temperature": 0.3}
    assert echo_differs(body, {"data": {"user_prompt": "Which CRM?"}}) is None  # spaces fold
    assert echo_differs(body, {"data": {"user_prompt": "Which%20CRM?"}}) is None
    assert echo_differs(body, {"data": {"temperature": 0.30000000001}}) is None
    assert echo_differs(body, {}) is None  # no echo: nothing to disprove
    assert "data.user_prompt" in (echo_differs(body, {"data": {"user_prompt": "SAP?"}}) or "")
    assert "data.model_name" in (echo_differs(body, {"data": {"model_name": "o3"}}) or "")
    assert echo_differs(body, {"data": {"model_name": "gpt-4.1-mini-2025-04-14"}}) is None
    assert (
        echo_differs({"user_prompt": "C++ or Go?"}, {"data": {"user_prompt": "C   or Go?"}}) is None
    )
    assert "data.temperature" in (echo_differs(body, {"data": {"temperature": 1}}) or "")
    assert echo_differs({"web_search": True}, {"data": {"web_search": False}}) is not None
