"""Callback URLs lose their secrets (query values, userinfo) wherever they are shown or kept."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from langchain_dataforseo._api.redact import (
    redact_callback_urls_in_json,
    redact_stored_task,
    redact_url,
)
from langchain_dataforseo.testing import vcr_config


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://h.example/cb?secret=abc&id=$id&tag=$tag",
            "https://h.example/cb?secret=REDACTED&id=$id&tag=$tag",
        ),
        ("https://user:pw@h.example/cb/$id", "https://REDACTED@h.example/cb/$id"),
        ("https://h.example/cb?flag&k=", "https://h.example/cb?flag&k=REDACTED"),
        ("https://h.example/cb", "https://h.example/cb"),
    ],
)
def test_redact_url_hides_query_values_and_userinfo_but_keeps_the_placeholders(
    url: str, shown: str
) -> None:
    assert redact_url(url) == shown


def test_redaction_in_json_covers_escaped_slashes_and_leaves_other_fields() -> None:
    text = json.dumps(
        [{"user_prompt": "q?a=1", "postback_url": "https://h.example/p?secret=abc&id=$id"}]
    ).replace("/", "\\/")
    out = json.loads(redact_callback_urls_in_json(text))
    assert out == [
        {"user_prompt": "q?a=1", "postback_url": "https://h.example/p?secret=REDACTED&id=$id"}
    ]


def test_cassette_scrubbers_remove_the_secret_from_request_and_echoed_response() -> None:
    config = vcr_config("none")
    secret = "s3cr3t-0123456789abcdef"
    body = json.dumps([{"user_prompt": "hi", "pingback_url": f"https://h/x?s={secret}&id=$id"}])
    request = SimpleNamespace(headers={"Authorization": "Basic x"}, body=body.encode())
    scrubbed = config["before_record_request"](request)
    assert secret not in scrubbed.body.decode()
    assert "Authorization" not in scrubbed.headers
    echoed = {"tasks": [{"data": {"pingback_url": f"https://h/x?s={secret}&id=$id"}}]}
    response = {"headers": {}, "body": {"string": json.dumps(echoed).encode()}}
    assert secret not in config["before_record_response"](response)["body"]["string"].decode()


def test_redact_url_can_hide_the_path_but_the_placeholders() -> None:
    url = "https://u:pw@h.example:8443/cb/k3y-in-path/$id?secret=abc&tag=$tag#frag"
    assert (
        redact_url(url, hide_path=True)
        == "https://REDACTED@h.example:8443/REDACTED/REDACTED/$id?secret=REDACTED&tag=$tag#REDACTED"
    )
    assert redact_url("https://h.example", hide_path=True) == "https://h.example"


def test_a_stored_task_loses_the_secrets_its_data_echoes() -> None:
    task = {
        "id": "t",
        "data": {
            "tag": "r:p0",
            "postback_url": "https://h/p/path-key?secret=abc&id=$id",
            "pingback_url": "https://h/g?s=xyz",
            "user_prompt": "what is https://h/p?secret=abc about?",
        },
        "result": [{"x": 1}],
    }
    kept = redact_stored_task(task)
    assert kept["data"]["postback_url"] == "https://h/REDACTED/REDACTED?secret=REDACTED&id=$id"
    assert kept["data"]["pingback_url"] == "https://h/REDACTED?s=REDACTED"
    assert kept["data"]["user_prompt"] == task["data"]["user_prompt"]  # only the URL fields
    assert kept["result"] == task["result"]
    assert "abc" in task["data"]["postback_url"]  # the caller's task is not changed
    assert redact_stored_task({"id": "t", "data": {"tag": "x"}}) == {
        "id": "t",
        "data": {"tag": "x"},
    }
    assert redact_stored_task({"id": "t", "data": None}) == {"id": "t", "data": None}
