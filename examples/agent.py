"""An agent (LangChain ``create_agent``) that asks ChatGPT and Perplexity and compares citations.

The agent's own reasoning model can be any tool-calling chat model: set ``AGENT_MODEL``
(e.g. ``openai:gpt-4.1-mini``, with that provider's package and key installed) to use one.
Without it, a scripted fake tool-calling model built on langchain-core's
``GenericFakeChatModel`` drives the agent, so the example runs offline and free.
The DataForSEO tools replay ``cassettes/examples/agent.yaml`` unless ``DATAFORSEO_LOGIN`` /
``DATAFORSEO_PASSWORD`` are set. Needs the ``examples`` extra (``langchain``).

Run: ``python examples/agent.py``
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from _mode import dataforseo_session, missing_extra
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from langchain_dataforseo import DataForSEOLLMResponsesToolkit

try:
    from langchain.agents import create_agent
    from langchain.chat_models import init_chat_model
except ImportError as missing:
    raise SystemExit(missing_extra("agent.py", "langchain")) from missing

QUESTION = (
    "Ask ChatGPT and Perplexity which email marketing platforms they recommend for "
    "small online shops, and compare the sites they cite."
)
ASKED = "Which email marketing platforms do you recommend for small online shops?"


class ScriptedToolCallingModel(GenericFakeChatModel):
    """langchain-core's fake chat model, made to accept tools: it replays scripted turns."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self


def scripted_model() -> BaseChatModel:
    """Turn 1 calls both tools; turn 2 answers (the comparison is printed from the results)."""
    calls = [
        {"name": "ask_chat_gpt", "args": {"prompt": ASKED}, "id": "call_chatgpt"},
        {"name": "ask_perplexity", "args": {"prompt": ASKED}, "id": "call_perplexity"},
    ]
    return ScriptedToolCallingModel(
        messages=iter(
            [
                AIMessage("", tool_calls=calls),
                AIMessage("I asked both engines; their answers and sources are compared below."),
            ]
        )
    )


def domains(artifact: dict[str, Any]) -> list[str]:
    """Cited domains, in order, once each."""
    seen: list[str] = []
    for source in artifact["annotations"]:
        host = (urlsplit(source.get("url", "")).hostname or "").removeprefix("www.")
        if host and host not in seen:
            seen.append(host)
    return seen


def report(messages: Sequence[BaseMessage]) -> str:
    """What the agent did: each tool call's engine, cited domains and cost; then the overlap."""
    lines: list[str] = []
    cited: dict[str, set[str]] = {}
    for message in messages:
        if isinstance(message, ToolMessage):
            if message.status == "error":
                lines.append(f"{message.name}: error: {message.content}")
                continue
            artifact = message.artifact
            found = domains(artifact)
            cited[message.name or "?"] = set(found)
            lines.append(
                f"{message.name} ({artifact['model_name']}, ${artifact['cost']:.6f}): "
                f"{len(artifact['annotations'])} sources from {', '.join(found) or '(none)'}"
            )
    if len(cited) > 1:
        common = set.intersection(*cited.values())
        lines.append(f"cited by every engine: {', '.join(sorted(common)) or '(no overlap)'}")
    final = messages[-1]
    lines.append(f"agent: {final.text}")
    return "\n".join(lines)


def main() -> None:
    with dataforseo_session("agent") as extra:
        tools = DataForSEOLLMResponsesToolkit(
            engines=["chat_gpt", "perplexity"], web_search=True, **extra
        ).get_tools()
        agent_model = os.environ.get("AGENT_MODEL")
        model = init_chat_model(agent_model) if agent_model else scripted_model()
        agent = create_agent(
            model,
            tools=tools,
            system_prompt="You research what AI assistants say and cite. Use the tools.",
        )
        result = agent.invoke({"messages": [HumanMessage(QUESTION)]})
    print(report(result["messages"]))


if __name__ == "__main__":
    main()
