from __future__ import annotations

import re

import httpx
import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorServer, EmulatorTransport

from .conftest import AUTH, ENGINES, MODEL, STANDARD, live, path, task0

ID_RE = re.compile(r"^\d{8}-\d{4}-\d{4}-[01]000-[0-9a-f]{12}$")


@pytest.mark.parametrize("auth", [None, ("emulator-login", "wrong"), ("x", "emulator-password")])
def test_auth_failures(client: httpx.Client, auth: tuple[str, str] | None) -> None:
    client.auth = auth  # type: ignore[assignment]
    for method, url in [
        ("GET", path("chat_gpt", "models")),
        ("POST", path("claude", "live")),
        ("GET", "/v3/unknown"),
        ("GET", "/emulator/ledger"),
    ]:
        response = client.request(method, url, json=[{"user_prompt": "x"}])
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Basic realm="DataForSEO REST API"'
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["status_code"] == 40100
        assert body["tasks"] is None
        assert body["cost"] == 0


def test_envelope_shape(client: httpx.Client) -> None:
    body = live(client, "chat_gpt", {"user_prompt": "best coffee grinders", "model_name": "gpt-4o"})
    assert re.fullmatch(r"0\.1\.\d{8}", body["version"])
    assert body["status_code"] == 20000
    assert body["status_message"] == "Ok."
    assert re.fullmatch(r"\d+\.\d{4} sec\.", body["time"])
    assert body["tasks_count"] == 1
    assert body["tasks_error"] == 0
    task = task0(body)
    assert ID_RE.match(task["id"])
    assert task["id"].split("-")[3] == "0000"
    assert task["path"] == ["v3", "ai_optimization", "chat_gpt", "llm_responses", "live"]
    assert task["data"] == {
        "api": "ai_optimization",
        "function": "llm_responses",
        "se": "chat_gpt",
        "user_prompt": "best coffee grinders",
        "model_name": "gpt-4o",
    }
    assert task["result_count"] == 1
    assert body["cost"] == task["cost"]
    assert re.fullmatch(r"\d+\.\d{4} sec\.", task["time"])


@pytest.mark.parametrize("engine", ENGINES)
def test_models_and_live_per_engine(client: httpx.Client, engine: str) -> None:
    response = client.get(path(engine, "models"))
    assert response.status_code == 200
    models = task0(response.json())["result"]
    assert models
    for m in models:
        # the documented shape (October 2025 docs, client 2.1.10): no "reasoning"
        assert set(m) == {"model_name", "web_search_supported", "task_post_supported"}
        if engine == "perplexity":
            assert m["task_post_supported"] is False
    body = live(
        client, engine, {"user_prompt": "electric bikes for commuting", "model_name": MODEL[engine]}
    )
    task = task0(body)
    assert task["status_code"] == 20000, task
    assert task["result"][0]["items"][-1]["type"] == "message"


@pytest.mark.parametrize("engine", STANDARD)
def test_standard_routes_per_engine(client: httpx.Client, engine: str) -> None:
    posted = client.post(
        path(engine, "task_post"),
        json=[{"user_prompt": "solar panels", "model_name": MODEL[engine]}],
    ).json()
    task = task0(posted)
    assert task["status_code"] == 20100
    assert task["id"].split("-")[3] == "1000"
    ready = client.get(path(engine, "tasks_ready")).json()
    assert [r["id"] for r in task0(ready)["result"]] == [task["id"]]
    got = client.get(path(engine, f"task_get/{task['id']}")).json()
    assert task0(got)["status_code"] == 20000
    assert task0(got)["path"][-1] == task["id"]


@pytest.mark.parametrize("function", ["task_post", "tasks_ready", "task_get/abc"])
def test_perplexity_standard_is_invalid_path(client: httpx.Client, function: str) -> None:
    method = "POST" if function == "task_post" else "GET"
    response = client.request(
        method, path("perplexity", function), json=[{"user_prompt": "x", "model_name": "sonar"}]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status_code"] == 20000
    assert task0(body)["status_code"] == 40402
    assert task0(body)["status_message"] == "Invalid Path."
    assert task0(body)["result"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/v3/ai_optimization/llm_responses/task_post",
        "/v3/ai_optimization/grok/llm_responses/live",
        "/v3/serp/google/organic/live",
        "/",
    ],
)
def test_unknown_roots_404(client: httpx.Client, url: str) -> None:
    response = client.post(url, json=[{}])
    assert response.status_code == 404
    assert response.json()["status_code"] == 40400


def test_wrong_method_and_unknown_function(client: httpx.Client) -> None:
    assert task0(client.get(path("chat_gpt", "live")).json())["status_code"] == 40402
    assert task0(client.get(path("chat_gpt", "bogus")).json())["status_code"] == 40402


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", 40502),
        (b"[]", 40502),
        (b"{not json", 40503),
        (b'{"user_prompt": "x"}', 40503),
        (b'"x"', 40503),
    ],
)
@pytest.mark.parametrize("function", ["live", "task_post"])
def test_body_must_be_array(client: httpx.Client, content: bytes, code: int, function: str) -> None:
    response = client.post(
        path("chat_gpt", function), content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status_code"] == code
    assert body["tasks"] is None
    assert body["cost"] == 0


def test_live_extra_tasks_get_40000(client: httpx.Client, emu: Emulator) -> None:
    body = live(
        client,
        "chat_gpt",
        {"user_prompt": "first prompt", "model_name": "gpt-4o-mini"},
        {"user_prompt": "second prompt", "model_name": "gpt-4o-mini"},
        {"user_prompt": "third prompt", "model_name": "gpt-4o-mini"},
    )
    assert body["tasks_count"] == 3
    assert body["tasks_error"] == 2
    first, *extras = body["tasks"]
    assert first["status_code"] == 20000
    for extra in extras:
        assert extra["status_code"] == 40000
        assert extra["status_message"] == "You can set only one task at a time."
        assert extra["cost"] == 0
        assert extra["result"] is None
    assert extras[0]["data"]["user_prompt"] == "second prompt"
    assert body["cost"] == first["cost"]
    assert len(emu.ledger()["charges"]) == 1


def test_task_post_over_100_gets_40006(local_client: httpx.Client, emu: Emulator) -> None:
    tasks = [{"user_prompt": f"prompt {i}", "model_name": "gpt-4o-mini"} for i in range(103)]
    body = local_client.post(path("chat_gpt", "task_post"), json=tasks).json()
    codes = [t["status_code"] for t in body["tasks"]]
    assert codes == [20100] * 100 + [40006] * 3
    assert body["cost"] == pytest.approx(100 * 0.0102)
    assert len({t["id"] for t in body["tasks"]}) == 103
    ledger = emu.ledger()  # task_latency 0: already completed and settled
    assert len(ledger["charges"]) == 100
    assert all(c["prepaid"] == 0.0102 and c["status"] == "settled" for c in ledger["charges"])
    assert ledger["charged_total"] == pytest.approx(sum(c["cost"] for c in ledger["charges"]))


def test_ids_unique_and_deterministic() -> None:
    def run() -> list[str]:
        emu = Emulator()
        with httpx.Client(transport=EmulatorTransport(emu), base_url="http://e", auth=AUTH) as c:
            ids = []
            for i in range(5):
                ids.append(
                    task0(
                        live(c, "claude", {"user_prompt": f"q {i}", "model_name": "claude-3-haiku"})
                    )["id"]
                )
            return [i.split("-", 1)[1] for i in ids]  # drop the time group

    first, second = run(), run()
    assert first == second
    assert len(set(first)) == 5


def test_control_routes(client: httpx.Client) -> None:
    live(client, "gemini", {"user_prompt": "tea", "model_name": "gemini-1.5-pro"})
    ledger = client.get("/emulator/ledger").json()
    assert len(ledger["charges"]) == 1
    assert ledger["calls"]["gemini/live"] == 1
    assert client.post("/emulator/reset").status_code == 200
    ledger = client.get("/emulator/ledger").json()
    assert ledger["charges"] == []
    assert ledger["charged_total"] == 0
    assert ledger["calls"] == {}


def test_server_keep_alive_and_content_length(emu: Emulator) -> None:
    with EmulatorServer(emu) as server, httpx.Client(base_url=server.base_url, auth=AUTH) as c:
        for _ in range(3):
            r = c.get(path("claude", "models"))
            assert int(r.headers["content-length"]) == len(r.content)
            assert r.http_version == "HTTP/1.1"
        # one pooled connection reused
        assert server.base_url.startswith("http://127.0.0.1:")
