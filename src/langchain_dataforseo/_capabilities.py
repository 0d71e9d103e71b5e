"""What the chat model can and cannot do: its LangChain profile, and why it binds no tools."""

from __future__ import annotations

from typing import Final

from langchain_core.language_models import ModelProfile

from langchain_dataforseo._engines import engine_spec

NO_TOOLS_MESSAGE: Final = (
    "ChatDataForSEO cannot bind tools: DataForSEO's LLM Responses API has no tool calling "
    "(it returns the engine's text answer and the sources it cited), so it cannot drive an "
    "agent. Drive the agent with a tool-calling model (ChatOpenAI, ChatAnthropic, ...) and "
    "give that agent the DataForSEO tool: create_agent(other_model, "
    "tools=[DataForSEOLLMResponsesTool(engine=..., web_search=True)])."
)
"""Why ``bind_tools`` (and so ``create_agent(ChatDataForSEO(...))``) is refused."""


def model_profile(engine: str) -> ModelProfile:
    """The LangChain profile of a model of one engine: text in, text and reasoning out.

    Args:
        engine: The engine.

    Returns:
        The profile; ``max_output_tokens`` is the engine's limit.
    """
    return ModelProfile(
        text_inputs=True,
        image_inputs=False,
        image_url_inputs=False,
        pdf_inputs=False,
        audio_inputs=False,
        video_inputs=False,
        text_outputs=True,
        image_outputs=False,
        audio_outputs=False,
        video_outputs=False,
        reasoning_output=True,
        tool_calling=False,
        tool_choice=False,
        structured_output=False,
        max_output_tokens=engine_spec(engine).max_tokens_max,
    )
