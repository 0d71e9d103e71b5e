"""Per-call overhead: the same live call made by raw httpx, ChatDataForSEO and the official SDK.

All three call the emulator on loopback with no added latency, ``--calls`` times each
(default 2,000), in interleaved blocks so that drift hits all three alike. The emulator runs
in its own process (``--emulator thread`` puts it on a thread of this one). Prints the
median and mean time per call and the ratios b/a (ChatDataForSEO / raw httpx) and b/c
(ChatDataForSEO / dataforseo-client). Needs the ``bench`` extra for (c):
``pip install -e ".[bench]"``.

``--breakdown`` also times (b0) the package's HTTP client alone, (b1) the chat model's
``_generate`` without LangChain's run, (b2) ``invoke`` with an ``http_client`` of your own
given (a plain ``httpx.Client``, like the shared one (b) uses), and (f) langchain-core's
``invoke`` around a chat model that answers at once without I/O: the fixed cost of being
a LangChain chat model.
b0 + f is then the least any chat model on the package's HTTP path could take.

    python benchmarks/overhead.py --breakdown
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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
    """Where (b)'s time goes: the client call alone, ``_generate``, and core's fixed cost."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class AnswersAtOnce(BaseChatModel):
        """A chat model with no I/O: what remains is langchain-core's own ``invoke``."""

        @property
        def _llm_type(self) -> str:
            return "answers-at-once"

        def _generate(self, messages: list[BaseMessage], *args: Any, **kw: Any) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage("Done."))])

    floor = AnswersAtOnce()
    through_client = ChatDataForSEO(
        login=LOGIN,
        password=PASSWORD,
        base_url=base_url,
        model=MODEL,
        calls_per_minute=10**9,
        http_client=httpx.Client(timeout=150),
    )
    through_client.list_models()

    model = ChatDataForSEO(
        login=LOGIN, password=PASSWORD, base_url=base_url, model=MODEL, calls_per_minute=10**9
    )
    messages = [HumanMessage(PROMPT)]
    task, _notes = model._build(messages, None, {}, model._records())
    return {
        "b0 client.live (HTTP + parse)": lambda: model.client.live("chat_gpt", task),
        "b1 ChatDataForSEO._generate": lambda: model._generate(messages),
        "b2 invoke via http_client": lambda: through_client.invoke(PROMPT),
        "f core invoke, no I/O": lambda: floor.invoke(PROMPT),
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


@contextlib.contextmanager
def emulator_url(where: str) -> Iterator[str]:
    """Start the emulator in its own process (default) or on a thread of this one.

    In its own process the server neither shares this interpreter's lock nor its heap
    (its ledger grows with every call), as with the real API, so the figures measure
    the clients. ``thread`` reproduces the earlier set-up.
    """
    if where == "thread":
        emulator = Emulator(EmulatorConfig(login=LOGIN, password=PASSWORD, calls_per_minute=10**9))
        with EmulatorServer(emulator, port=0) as server:
            yield server.base_url
        return
    command = [
        sys.executable, "-m", "langchain_dataforseo.emulator", "--login", LOGIN,
        "--password", PASSWORD, "--calls-per-minute", str(10**9),
    ]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:  # noqa: S603
        try:
            assert process.stdout is not None  # noqa: S101 - stdout=PIPE
            yield process.stdout.readline().split()[-1]
        finally:
            process.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the client call and _generate"
    )
    parser.add_argument(
        "--emulator",
        choices=("process", "thread"),
        default="process",
        help="run the emulator in its own process (default) or on a thread of this one",
    )
    args = parser.parse_args()
    with emulator_url(args.emulator) as base_url:
        candidates = {
            "a raw httpx": raw_httpx(base_url),
            "b ChatDataForSEO.invoke": langchain_model(base_url),
            "c dataforseo-client SDK": official_sdk(base_url),
        }
        calls: dict[str, Callable[[], object]] = {
            name: fn for name, fn in candidates.items() if fn is not None
        }
        texts = {name: fn() for name, fn in calls.items()}  # warm-up, and same answer check
        if len(set(texts.values())) != 1:
            raise SystemExit(f"the clients got different answers: {texts}")
        if args.breakdown:
            calls.update(breakdown(base_url))
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
    print(f"{'client':30} {'calls':>6} {'median ms':>10} {'mean ms':>8}")
    for name, values in times.items():
        print(
            f"{name:30} {len(values):>6} {medians[name] * 1000:>10.3f} "
            f"{statistics.fmean(values) * 1000:>8.3f}"
        )
    b = medians["b ChatDataForSEO.invoke"]
    print(f"b/a = {b / medians['a raw httpx']:.3f}  (target retired: see benchmarks/README.md)")
    if "b2 invoke via http_client" in medians:
        b2 = medians["b2 invoke via http_client"]
        print(f"b2/a = {b2 / medians['a raw httpx']:.3f}  (through your own httpx.Client)")
    c = medians.get("c dataforseo-client SDK")
    if c is not None:
        print(f"b/c = {b / c:.3f}  (target <= 1.0)")
    else:
        print("b/c: dataforseo-client not installed (pip install -e '.[bench]')")
    if "f core invoke, no I/O" in medians:
        least = medians["b0 client.live (HTTP + parse)"] + medians["f core invoke, no I/O"]
        print(
            f"b0 + f = {least * 1000:.3f} ms: the least a LangChain chat model on this HTTP "
            "path could take" + (f"; (b0 + f)/c = {least / c:.3f}" if c is not None else "")
        )


if __name__ == "__main__":
    main()
