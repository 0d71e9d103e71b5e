"""ChatDataForSEO behaviour over a mocked transport: hooks, options, metadata, policies."""

from __future__ import annotations

import asyncio
import json
import threading
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

from langchain_dataforseo import (
    ChatDataForSEO,
    DataForSEOInputError,
    DataForSEOInputWarning,
    DataForSEORateLimitError,
    DataForSEOUnsupportedError,
)

from .helpers import (
    envelope,
    example,
    is_models_call,
    json_response,
    loops_with_pools,
    models_response,
)


class Recorder:
    """A mock API: records request bodies, answers with the example web-search response."""

    def __init__(self, body: dict[str, Any] | None = None) -> None:
        self.bodies: list[list[dict[str, Any]]] = []
        self.body = body or example("4.1_live_web_search")
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            return models_response()
        with self.lock:
            self.bodies.append(json.loads(request.content))
        return json_response(self.body)


def make_model(recorder: Recorder, **kwargs: Any) -> ChatDataForSEO:
    transport = httpx.MockTransport(recorder)
    params: dict[str, Any] = {
        "login": "login",
        "password": "password",
        "base_url": "http://127.0.0.1:1",
        "http_client": httpx.Client(transport=transport),
        "http_async_client": httpx.AsyncClient(transport=transport),
        **kwargs,
    }
    return ChatDataForSEO(**params)


def test_construction_needs_no_credentials_and_opens_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATAFORSEO_LOGIN", raising=False)
    monkeypatch.delenv("DATAFORSEO_PASSWORD", raising=False)
    model = ChatDataForSEO()
    assert model.model == "gpt-4.1-mini"
    assert model._client is None


@pytest.mark.parametrize(
    ("engine", "model"),
    [("claude", "claude-haiku-4-5"), ("gemini", "gemini-2.5-flash"), ("perplexity", "sonar")],
)
def test_each_engine_has_a_default_model(engine: str, model: str) -> None:
    assert ChatDataForSEO(engine=engine).model == model  # type: ignore[arg-type]


def test_model_name_alias_and_max_output_tokens_alias() -> None:
    model = ChatDataForSEO(model_name="gpt-4o", max_output_tokens=300)
    assert (model.model, model.max_tokens, model.model_name) == ("gpt-4o", 300, "gpt-4o")


def test_unknown_constructor_argument_is_an_error() -> None:
    with pytest.raises(ValueError, match="temprature"):
        ChatDataForSEO(temprature=0.3)


def test_unknown_engine_is_an_error() -> None:
    with pytest.raises(ValueError, match="engine"):
        ChatDataForSEO(engine="bard")  # type: ignore[arg-type]


def test_invoke_sends_settings_and_returns_answer_with_sources() -> None:
    recorder = Recorder()
    model = make_model(
        recorder,
        web_search=True,
        web_search_country_iso_code="US",
        max_tokens=1024,
        temperature=0.5,
        tag="t1",
    )
    message = model.invoke([SystemMessage("Be brief."), HumanMessage("Best PM tools?")])
    assert recorder.bodies == [
        [
            {
                "user_prompt": "Best PM tools?",
                "model_name": "gpt-4.1-mini",
                "system_message": "Be brief.",
                "max_output_tokens": 1024,
                "temperature": 0.5,
                "web_search": True,
                "web_search_country_iso_code": "US",
                "tag": "t1",
            }
        ]
    ]
    expected = example("4.1_live_web_search")["tasks"][0]
    assert isinstance(message, AIMessage)
    assert message.content == expected["result"][0]["items"][0]["sections"][0]["text"]
    meta = message.response_metadata
    assert meta["model_name"] == "gpt-4.1-mini-2025-04-14"
    assert meta["task_id"] == expected["id"]
    assert meta["cost"] == pytest.approx(expected["cost"])
    assert [a["url"] for a in meta["annotations"]] == [
        a["url"] for a in expected["result"][0]["items"][0]["sections"][0]["annotations"]
    ]
    assert meta["fan_out_queries"] == expected["result"][0]["fan_out_queries"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == 2113 + 486


def test_per_call_options_override_the_model_settings() -> None:
    recorder = Recorder()
    model = make_model(recorder, temperature=0.2)
    model.invoke("hi", model="gpt-4o", temperature=1.5, max_tokens=64)
    (task,) = recorder.bodies[0]
    assert (task["model_name"], task["temperature"], task["max_output_tokens"]) == (
        "gpt-4o",
        1.5,
        64,
    )


def test_unknown_call_option_is_refused_before_any_request() -> None:
    recorder = Recorder()
    with pytest.raises(DataForSEOInputError, match="frequency_penalty"):
        make_model(recorder).invoke("hi", frequency_penalty=1)
    assert recorder.bodies == []


def test_out_of_range_parameter_is_refused_before_any_request() -> None:
    recorder = Recorder()
    with pytest.raises(DataForSEOInputError) as info:
        make_model(recorder, temperature=2.5).invoke("hi")
    assert info.value.field == "temperature"
    assert info.value.actual == 2.5
    assert recorder.bodies == []


def test_over_long_prompt_is_refused_before_any_request() -> None:
    recorder = Recorder()
    with pytest.raises(DataForSEOInputError) as info:
        make_model(recorder).invoke("x" * 501)
    assert (info.value.field, info.value.limit, info.value.actual) == ("user_prompt", 500, 501)
    assert "501" in str(info.value)
    assert recorder.bodies == []


def test_trim_policy_warns_and_records_what_it_dropped() -> None:
    recorder = Recorder()
    history: list[Any] = []
    for i in range(6):
        history += [HumanMessage(f"q{i}"), AIMessage(f"a{i}")]
    with pytest.warns(DataForSEOInputWarning, match="trimmed"):
        message = make_model(recorder, history_policy="trim").invoke(
            [*history, HumanMessage("now")]
        )
    (task,) = recorder.bodies[0]
    assert [m["message"] for m in task["message_chain"]] == [
        "q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4", "q5", "a5"
    ]  # fmt: skip
    assert message.response_metadata["trimmed"] == {"dropped_messages": [0, 1]}


def test_stop_sequences_are_ignored_with_a_warning_and_a_note() -> None:
    recorder = Recorder()
    with pytest.warns(DataForSEOInputWarning, match="no stop sequences"):
        message = make_model(recorder).invoke("hi", stop=["you"])
    assert message.response_metadata["ignored"] == {"stop": ["you"]}
    assert "stop" not in recorder.bodies[0][0]


def test_empty_stop_list_is_silent() -> None:
    recorder = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = make_model(recorder, stop=[]).invoke("hi")
    assert "ignored" not in message.response_metadata


def test_stream_yields_one_final_chunk_with_everything() -> None:
    recorder = Recorder()
    chunks = list(make_model(recorder).stream("hi"))
    assert len(chunks) == 1
    (chunk,) = chunks
    assert isinstance(chunk, AIMessageChunk)
    assert chunk.chunk_position == "last"
    assert chunk.response_metadata["annotations"]
    assert chunk.usage_metadata is not None
    assert len(recorder.bodies) == 1


async def test_astream_and_ainvoke_give_the_same_message_as_invoke() -> None:
    recorder = Recorder()
    model = make_model(recorder)
    sync_message = model.invoke("hi")
    async_message = await model.ainvoke("hi")
    chunks = [chunk async for chunk in model.astream("hi")]
    assert async_message.content == sync_message.content == chunks[0].content
    assert async_message.response_metadata == sync_message.response_metadata
    assert (
        chunks[0].response_metadata["fan_out_queries"]
        == sync_message.response_metadata["fan_out_queries"]
    )


def test_streaming_flag_routes_invoke_through_stream() -> None:
    recorder = Recorder()
    message = make_model(recorder, streaming=True).invoke("hi")
    assert message.response_metadata["task_id"]
    assert len(recorder.bodies) == 1


def test_v1_output_puts_citations_on_one_text_block() -> None:
    recorder = Recorder()
    message = make_model(recorder, output_version="v1").invoke("hi")
    assert isinstance(message.content, list)
    types = [block["type"] for block in message.content]  # type: ignore[index]
    assert types == ["server_tool_call", "server_tool_result", "text"]
    text_block = message.content[-1]
    assert isinstance(text_block, dict)
    assert [c["type"] for c in text_block["annotations"]] == ["citation"] * 3


class ConcurrencyProbe:
    """An async mock API that measures how many calls are in flight at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.calls = 0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            return models_response()
        self.in_flight += 1
        self.calls += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return json_response(envelope())


async def test_abatch_is_bounded_by_max_concurrency_and_keeps_order() -> None:
    probe = ConcurrencyProbe()
    model = ChatDataForSEO(
        login="l",
        password="p",
        base_url="http://127.0.0.1:1",
        max_concurrency=4,
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(probe.handler)),
    )
    results = await model.abatch([f"q{i}" for i in range(20)])
    assert probe.calls == 20
    assert probe.peak == 4
    assert all(isinstance(r, AIMessage) for r in results)


async def test_abatch_config_max_concurrency_wins() -> None:
    probe = ConcurrencyProbe()
    model = ChatDataForSEO(
        login="l",
        password="p",
        base_url="http://127.0.0.1:1",
        max_concurrency=4,
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(probe.handler)),
    )
    await model.abatch([f"q{i}" for i in range(10)], config={"max_concurrency": 2})
    assert probe.peak == 2


def test_batch_returns_exceptions_in_place_with_their_code() -> None:
    limited = envelope(status_code=40209, task_status=40209, cost=0, result=None)

    def handler(request: httpx.Request) -> httpx.Response:
        if is_models_call(request):
            return models_response()
        prompt = json.loads(request.content)[0]["user_prompt"]
        return json_response(limited if prompt == "bad" else envelope())

    model = ChatDataForSEO(
        login="l",
        password="p",
        base_url="http://127.0.0.1:1",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    results = model.batch(["ok", "bad", "ok"], return_exceptions=True)
    assert isinstance(results[0], AIMessage)
    assert isinstance(results[2], AIMessage)
    assert isinstance(results[1], DataForSEORateLimitError)
    assert results[1].status_code == 40209


def test_ls_params_name_the_provider_and_honour_a_per_call_model() -> None:
    model = ChatDataForSEO(model="gpt-4.1-mini", temperature=0.3, max_tokens=100)
    params = model._get_ls_params()
    assert params["ls_provider"] == "dataforseo"
    assert params["ls_model_name"] == "gpt-4.1-mini"
    assert params["ls_temperature"] == 0.3
    assert params["ls_max_tokens"] == 100
    assert model._get_ls_params(model="gpt-4o")["ls_model_name"] == "gpt-4o"


def test_identifying_params_distinguish_settings() -> None:
    one = ChatDataForSEO(model="gpt-4.1-mini", web_search=True)._identifying_params
    two = ChatDataForSEO(model="gpt-4.1-mini", web_search=False)._identifying_params
    assert one != two
    assert one["model_name"] == "gpt-4.1-mini"


def test_api_key_parameter_is_used_when_login_and_password_are_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATAFORSEO_LOGIN", raising=False)
    monkeypatch.delenv("DATAFORSEO_PASSWORD", raising=False)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if is_models_call(request):
            return models_response()
        return json_response(envelope())

    model = ChatDataForSEO(
        api_key="me:pw",
        base_url="http://127.0.0.1:1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    model.invoke("hi")
    assert seen == ["Basic bWU6cHc="] * 2  # the models catalogue, then the live task


def test_password_never_appears_in_repr_str_or_dump() -> None:
    model = ChatDataForSEO(login="me", password="hunter2-secret")
    for text in (repr(model), str(model), str(model.model_dump()), model.model_dump_json()):
        assert "hunter2-secret" not in text
    assert model.password is not None
    assert model.password.get_secret_value() == "hunter2-secret"


def test_model_profile_reports_reasoning_text_only_and_no_tools() -> None:
    profile = ChatDataForSEO().profile
    assert profile is not None
    assert profile["reasoning_output"] is True
    assert profile["tool_calling"] is False
    assert profile["structured_output"] is False
    assert profile["text_inputs"] is True
    assert profile["image_inputs"] is False
    assert profile["text_outputs"] is True
    assert profile["max_output_tokens"] == 4096


def test_the_model_timeout_applies_even_to_an_injected_http_client() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return models_response() if is_models_call(request) else json_response(envelope())

    model = ChatDataForSEO(
        login="l",
        password="p",
        base_url="http://127.0.0.1:1",
        timeout=150,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    model.invoke("hi")
    assert seen
    assert all(140 < t["read"] <= 150 for t in seen)  # what is left of the call's deadline
    assert all(t["connect"] == 10 for t in seen)


@pytest.mark.parametrize(
    ("option", "value"),
    [("tag", 5), ("model", 5), ("web_search", "yes"), ("use_reasoning", 1), ("tag", ["a"])],
)
def test_per_call_options_of_the_wrong_type_are_refused_before_any_request(
    option: str, value: object
) -> None:
    recorder = Recorder()
    with pytest.raises(DataForSEOInputError) as info:
        make_model(recorder).invoke("hi", **{option: value})
    assert info.value.field == ("model_name" if option == "model" else option)
    assert recorder.bodies == []


def test_callback_urls_on_a_live_call_are_noted_as_ignored() -> None:
    recorder = Recorder()
    model = make_model(recorder, pingback_url="https://example.com/ping?id=$id")
    with pytest.warns(DataForSEOInputWarning, match="Standard method only"):
        message = model.invoke("hi")
    assert message.response_metadata["ignored"] == {
        "pingback_url": "https://example.com/ping?id=$id"
    }
    assert "pingback_url" not in recorder.bodies[0][0]


def test_a_callback_url_secret_never_shows_in_repr_dump_or_ignored_metadata() -> None:
    recorder = Recorder()
    url = "https://hooks.example.com/dfs?secret=s3cr3t-0123456789abcdef&id=$id&tag=$tag"
    model = make_model(recorder, postback_url=url, pingback_url=url)
    assert model.postback_url is not None
    assert model.postback_url.get_secret_value() == url
    for shown in (repr(model), str(model), model.model_dump_json(), str(model.model_dump())):
        assert "s3cr3t" not in shown
    with pytest.warns(DataForSEOInputWarning, match="Standard method only"):
        message = model.invoke("hi")
    assert message.response_metadata["ignored"]["postback_url"] == (
        "https://hooks.example.com/dfs?secret=REDACTED&id=$id&tag=$tag"
    )
    assert "s3cr3t" not in str(message.response_metadata)


def test_concurrent_first_calls_share_one_client() -> None:
    model = ChatDataForSEO(login="l", password="p")
    barrier = threading.Barrier(8)
    clients: list[Any] = []

    def first_use() -> None:
        barrier.wait()
        clients.append(model.client)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in clients}) == 1


def test_async_pools_close_with_their_event_loop_and_are_forgotten() -> None:
    model = ChatDataForSEO(login="l", password="p")
    client = model.client
    pools: list[httpx.AsyncClient] = []

    async def touch() -> None:
        pool = await client.ahttp_client()
        assert pool is await client.ahttp_client()
        async with client.account.live_gate("chat_gpt"):
            pools.append(pool)

    for _ in range(5):
        asyncio.run(touch())
    assert len({id(pool) for pool in pools}) == 5  # one per event loop
    assert all(pool.is_closed for pool in pools)  # closed as their loop shut down
    assert loops_with_pools() <= 1  # closed loops are dropped on the next use


# -- what new users tripped on ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "actual"),
    [
        ({"temperature": -0.5}, "temperature", -0.5),
        ({"engine": "claude", "temperature": 1.5}, "temperature", 1.5),
        ({"top_p": 1.5}, "top_p", 1.5),
        ({"max_tokens": 5}, "max_tokens", 5),
        ({"max_tokens": 5000}, "max_tokens", 5000),
        ({"max_output_tokens": 5}, "max_output_tokens", 5),
        ({"use_reasoning": True}, "use_reasoning", True),
        ({"engine": "perplexity", "web_search": True}, "web_search", True),
        ({"tag": "t" * 256}, "tag", 256),
        (
            {"web_search": True, "web_search_country_iso_code": "us"},
            "web_search_country_iso_code",
            "us",
        ),
    ],
)
def test_settings_the_api_always_refuses_are_refused_at_construction(
    kwargs: dict[str, Any], field: str, actual: object
) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        ChatDataForSEO(**kwargs)
    assert (info.value.field, info.value.actual) == (field, actual)
    assert str(info.value).startswith(field) or field in str(info.value)
    if field == "max_tokens":
        assert "max_output_tokens" not in str(info.value)


def test_settings_a_call_can_complete_are_left_to_the_call() -> None:
    # force_web_search needs web_search, which a call may add; a reasoning minimum
    # depends on use_reasoning, which a call may turn off.
    recorder = Recorder()
    model = make_model(recorder, force_web_search=True)
    with pytest.raises(DataForSEOInputError, match="needs web_search=True"):
        model.invoke("hi")
    model.invoke("hi", web_search=True)
    assert recorder.bodies[0][0]["force_web_search"] is True
    make_model(recorder, engine="claude", use_reasoning=True, max_tokens=500)


def test_bind_tools_says_why_and_what_to_do() -> None:
    model = ChatDataForSEO()
    with pytest.raises(DataForSEOUnsupportedError) as tools:
        model.bind_tools([])
    assert isinstance(tools.value, NotImplementedError)
    assert "no tool calling" in str(tools.value)
    assert "DataForSEOLLMResponsesTool" in str(tools.value)


def test_create_agent_on_the_model_fails_with_the_clear_error_before_any_call() -> None:
    agents = pytest.importorskip("langchain.agents")
    from langchain_dataforseo import DataForSEOLLMResponsesTool

    recorder = Recorder()
    model = make_model(recorder)
    agent = agents.create_agent(model, tools=[DataForSEOLLMResponsesTool()])
    with pytest.raises(DataForSEOUnsupportedError, match="tool-calling model"):
        agent.invoke({"messages": [HumanMessage("hi")]})
    assert recorder.bodies == []


def test_a_lone_surrogate_is_refused_before_anything_is_reserved_or_sent() -> None:
    recorder = Recorder()
    model = make_model(recorder, max_cost=1.0)
    with pytest.raises(DataForSEOInputError) as info:
        model.invoke("broken \ud83d text")
    assert (info.value.field, info.value.actual) == ("user_prompt", 7)
    assert recorder.bodies == []
    assert model.spent == 0


def test_a_lone_surrogate_in_a_standard_batch_posts_no_chunk() -> None:
    recorder = Recorder()
    model = make_model(recorder, method="standard", max_cost=10.0)
    prompts = [f"question {i}" for i in range(150)]
    prompts[120] = "question \udc00"
    with pytest.raises(DataForSEOInputError, match="lone surrogate"):
        model.submit(prompts)
    assert recorder.bodies == []
    assert model.spent == 0


def test_a_long_prompt_error_suggests_pack_not_trim() -> None:
    with pytest.raises(DataForSEOInputError) as info:
        make_model(Recorder(), history_policy="trim").invoke("x" * 501)
    assert "history_policy='pack'" in str(info.value)
    assert "never this one" in str(info.value)


@pytest.mark.parametrize("method", ["live", "standard"])
def test_a_refused_base_url_is_an_input_error_not_a_catalogue_outage(method: str) -> None:
    model = ChatDataForSEO(
        login="l", password="p", base_url="http://api.example.com", method=method, max_cost=1.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "could not fetch the catalogue" warning
        with pytest.raises(DataForSEOInputError) as info:
            model.invoke("hi")
    assert info.value.field == "base_url"
    assert model.spent == 0


@pytest.mark.parametrize("option", ["max_tokens", "max_output_tokens"])
def test_a_per_call_option_out_of_range_is_named_as_written(option: str) -> None:
    recorder = Recorder()
    with pytest.raises(DataForSEOInputError) as info:
        make_model(recorder).invoke("hi", **{option: 5})
    assert info.value.field == option
    assert str(info.value).startswith(f"{option}=5 ")
    assert recorder.bodies == []
