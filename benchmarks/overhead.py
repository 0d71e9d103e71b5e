"""Per-call overhead: the same live call made by raw httpx, ChatDataForSEO and the official SDK.

All three call the emulator on loopback with no added latency, ``--calls`` times each
(default 2,000), in interleaved blocks so that drift hits all three alike. Prints the median
and mean time per call and the ratios b/a (ChatDataForSEO / raw httpx) and b/c
(ChatDataForSEO / dataforseo-client). Needs the ``bench`` extra for (c):
``pip install -e ".[bench]"``.

    python benchmarks/overhead.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer

LOGIN, PASSWORD = "bench-login", "bench-password"
PROMPT = "What are the best project management tools for small marketing agencies?"
MODEL = "gpt-4.1-mini"


def raw_httpx(base_url: str) -> Callable[[], str]:
    """(a) A hand-built payload posted with a pooled httpx client; returns the text."""
    client = httpx.Client(base_url=base_url, auth=(LOGIN, PASSWORD), timeout=150)
    body = json.dumps([{"user_prompt": PROMPT, "model_name": MODEL}]).encode()
    headers = {"Content-Type": "application/json"}

    def call() -> str:
        response = client.post(
            "/v3/ai_optimization/chat_gpt/llm_responses/live", content=body, headers=headers
        )
        task = response.json()["tasks"][0]
        section = task["result"][0]["items"][-1]["sections"][0]
        return str(section["text"])

    return call


def langchain_model(base_url: str) -> Callable[[], str]:
    """(b) ``ChatDataForSEO.invoke`` (catalogue fetched once, before timing)."""
    model = ChatDataForSEO(
        login=LOGIN, password=PASSWORD, base_url=base_url, model=MODEL, calls_per_minute=10**9
    )
    model.list_models()

    def call() -> str:
        return model.invoke(PROMPT).text

    return call


def breakdown(base_url: str) -> dict[str, Callable[[], object]]:
    """Where (b)'s time goes: the client call alone, then ``_generate`` (no LangChain run)."""
    from langchain_core.messages import HumanMessage

    model = ChatDataForSEO(
        login=LOGIN, password=PASSWORD, base_url=base_url, model=MODEL, calls_per_minute=10**9
    )
    messages = [HumanMessage(PROMPT)]
    task, _notes = model._build(messages, None, {}, model._records())
    return {
        "b0 client.live (HTTP + parse)": lambda: model.client.live("chat_gpt", task),
        "b1 ChatDataForSEO._generate": lambda: model._generate(messages),
    }


def official_sdk(base_url: str) -> Callable[[], str] | None:
    """(c) ``dataforseo-client``'s ``chat_gpt_llm_responses_live``; None if not installed."""
    try:
        from dataforseo_client import api_client, configuration
        from dataforseo_client.api.ai_optimization_api import AiOptimizationApi
        from dataforseo_client.models.ai_optimization_chat_gpt_llm_responses_live_request_info import (  # noqa: E501
            AiOptimizationChatGptLlmResponsesLiveRequestInfo as LiveRequest,
        )
    except ImportError:
        return None
    config = configuration.Configuration(username=LOGIN, password=PASSWORD, host=base_url)
    api = AiOptimizationApi(api_client.ApiClient(config))

    def call() -> str:
        response: Any = api.chat_gpt_llm_responses_live(
            [LiveRequest(user_prompt=PROMPT, model_name=MODEL)]
        )
        item = response.tasks[0].result[0].items[-1]
        return str(item.sections[0].text)

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--block", type=int, default=100)
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the client call and _generate"
    )
    args = parser.parse_args()
    emulator = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, calls_per_minute=10**9))
    with EmulatorServer(emulator, port=0) as server:
        candidates = {
            "a raw httpx": raw_httpx(server.base_url),
            "b ChatDataForSEO.invoke": langchain_model(server.base_url),
            "c dataforseo-client SDK": official_sdk(server.base_url),
        }
        calls: dict[str, Callable[[], object]] = {
            name: fn for name, fn in candidates.items() if fn is not None
        }
        texts = {name: fn() for name, fn in calls.items()}  # warm-up, and same answer check
        if len(set(texts.values())) != 1:
            raise SystemExit(f"the clients got different answers: {texts}")
        if args.breakdown:
            calls.update(breakdown(server.base_url))
        times: dict[str, list[float]] = {name: [] for name in calls}
        done = 0
        while done < args.calls:
            block = min(args.block, args.calls - done)
            for name, fn in calls.items():
                for _ in range(block):
                    started = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - started)
            done += block
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{'client':26} {'calls':>6} {'median ms':>10} {'mean ms':>8}")
    for name, values in times.items():
        print(
            f"{name:26} {len(values):>6} {medians[name] * 1000:>10.3f} "
            f"{statistics.fmean(values) * 1000:>8.3f}"
        )
    b = medians["b ChatDataForSEO.invoke"]
    print(f"b/a = {b / medians['a raw httpx']:.3f}  (target <= 1.3)")
    if "c dataforseo-client SDK" in medians:
        print(f"b/c = {b / medians['c dataforseo-client SDK']:.3f}  (target <= 1.0)")
    else:
        print("b/c: dataforseo-client not installed (pip install -e '.[bench]')")


if __name__ == "__main__":
    main()
