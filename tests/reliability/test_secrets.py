"""The password never shows: repr, str, logs (httpx and httpcore at DEBUG), errors, traces."""

from __future__ import annotations

import base64
import logging
import traceback
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOAuthenticationError,
    DataForSEOClient,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOLLMResponsesTool,
)
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

LOGIN = "secret-test-login"
PASSWORD = "Pa55-w0rd-that-must-never-leak"
TOKEN = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
FORBIDDEN = (PASSWORD, TOKEN)


def assert_clean(text: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text


def test_repr_str_and_dumps_of_model_client_and_tool_hide_the_password() -> None:
    model = ChatDataForSEO(login=LOGIN, password=PASSWORD)
    tool = DataForSEOLLMResponsesTool(login=LOGIN, password=PASSWORD)
    client = DataForSEOClient(login=LOGIN, password=PASSWORD)
    for text in (
        repr(model),
        str(model),
        str(model.model_dump()),
        model.model_dump_json(),
        str(dumpd(model)),
        repr(tool),
        str(tool),
        repr(client),
        str(model._identifying_params),
        str(model._get_invocation_params()),
    ):
        assert_clean(text)


def test_password_from_the_environment_is_hidden_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAFORSEO_LOGIN", LOGIN)
    monkeypatch.setenv("DATAFORSEO_PASSWORD", PASSWORD)
    model = ChatDataForSEO()
    assert_clean(repr(model))
    assert model.password is not None
    assert model.password.get_secret_value() == PASSWORD


class Recorder(BaseCallbackHandler):
    """Keeps everything LangChain hands to tracers (what LangSmith would receive)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.seen.append(repr((serialized, messages, kwargs)))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.seen.append(repr((response, kwargs)))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.seen.append(repr((error, kwargs)))


def test_logs_traces_and_tracing_params_never_hold_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD))
    recorder = Recorder()
    with caplog.at_level(logging.DEBUG), EmulatorServer(emulator, port=0) as server:
        for name in ("httpx", "httpcore", "langchain_dataforseo", ""):
            logging.getLogger(name).setLevel(logging.DEBUG)
        model = ChatDataForSEO(login=LOGIN, password=PASSWORD, base_url=server.base_url)
        model.invoke("What is a CRM?", config={"callbacks": [recorder]})
        params = model._get_ls_params()
        wrong = ChatDataForSEO(login=LOGIN, password=PASSWORD + "x", base_url=server.base_url)
        with pytest.raises(DataForSEOAuthenticationError) as info:
            wrong.invoke("What is a CRM?", config={"callbacks": [recorder]})
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # DEBUG was really on
    for record in caplog.records:
        assert_clean(record.getMessage())
        assert_clean(repr(record.args))
    assert_clean(repr(params))
    for seen in recorder.seen:
        assert_clean(seen)
    assert_clean(str(info.value))
    assert_clean("".join(traceback.format_exception(info.value)))


@pytest.mark.parametrize(
    ("base_url", "handler"),
    [
        ("http://api.example.com", None),  # refused: credentials over plain http
        ("http://127.0.0.1:1", httpx.ConnectError("refused")),
        ("http://127.0.0.1:1", httpx.ReadTimeout("slow")),
    ],
)
def test_error_texts_and_tracebacks_never_hold_the_password(
    base_url: str, handler: Exception | None
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        assert handler is not None
        raise handler

    model = ChatDataForSEO(
        login=LOGIN,
        password=PASSWORD,
        base_url=base_url,
        max_retries=0,
        validate_model=False,
        http_client=httpx.Client(transport=httpx.MockTransport(fail)),
    )
    with pytest.raises((DataForSEOError, DataForSEOInputError)) as info:
        model.invoke("What is a CRM?")
    assert_clean(str(info.value))
    assert_clean(repr(info.value))
    assert_clean("".join(traceback.format_exception(info.value)))
