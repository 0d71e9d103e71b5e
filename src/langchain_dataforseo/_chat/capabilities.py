"""What the chat model can do: its profile, no tools, structured output.

What the chat model can and cannot do: its LangChain profile, and why it binds no tools.

``with_structured_output`` without tool calling: JSON asked for, parsed and validated.

The API has neither tool calling nor a JSON mode, so the schema goes into the system
message as an instruction (within its 500 characters) and the answer's text is parsed
as JSON and validated against the schema. Nothing is guaranteed by the engine: an answer
that is not valid JSON for the schema raises ``OutputParserException`` (or, with
``include_raw=True``, comes back as ``parsing_error`` next to the raw message).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, Final

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import LanguageModelInput, ModelProfile
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.prompt_values import ChatPromptValue
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.json import parse_json_markdown
from pydantic import BaseModel, ValidationError

from langchain_dataforseo._api.fields import MAX_PROMPT_CHARS, engine_spec
from langchain_dataforseo.errors import DataForSEOInputError, DataForSEOUnsupportedError

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


INSTRUCTION_PREFIX: Final = (
    "Reply with only one JSON object, no other text, valid for this JSON Schema: "
)
"""The start of the system instruction; the compact schema follows it."""

_METHODS: Final = frozenset({"json_schema", "json_mode"})
_DROPPED_KEYS: Final = frozenset({"title"})


def _compact(value: Any) -> Any:
    """The schema without its ``title`` names (a property called ``title`` is kept)."""
    if isinstance(value, dict):
        return {
            key: _compact(item)
            for key, item in value.items()
            if key not in _DROPPED_KEYS or not isinstance(item, str)
        }
    if isinstance(value, list):
        return [_compact(item) for item in value]
    return value


def json_schema_of(schema: dict[str, Any] | type) -> dict[str, Any]:
    """The JSON Schema of a Pydantic class, a TypedDict or a JSON Schema dict.

    Args:
        schema: What the caller passed to ``with_structured_output``.

    Returns:
        The JSON Schema.
    """
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    return convert_to_json_schema(schema)


def schema_instruction(schema: dict[str, Any] | type) -> str:
    """The system instruction that asks for JSON valid for ``schema``.

    Args:
        schema: A Pydantic class, a TypedDict or a JSON Schema dict.

    Returns:
        The instruction, at most 500 characters.

    Raises:
        DataForSEOInputError: When the instruction would not fit the API's 500
            characters of ``system_message`` (nothing is sent).
    """
    compact = json.dumps(_compact(json_schema_of(schema)), separators=(",", ":"))
    instruction = f"{INSTRUCTION_PREFIX}{compact}"
    if len(instruction) > MAX_PROMPT_CHARS:
        msg = (
            f"The structured-output instruction for this schema is {len(instruction)} "
            f"characters; it goes in 'system_message', which the API limits to "
            f"{MAX_PROMPT_CHARS}. Use a smaller schema (fewer fields, shorter "
            "descriptions), or ask for JSON in the prompt and parse it yourself."
        )
        raise DataForSEOInputError(
            msg, field="schema", limit=MAX_PROMPT_CHARS, actual=len(instruction)
        )
    return instruction


def _json_text(text: str) -> Any:
    try:
        return parse_json_markdown(text)
    except (ValueError, TypeError):
        pass
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except ValueError:
            pass
    msg = f"The answer is not a JSON object: {text[:200]!r}"
    raise OutputParserException(msg, llm_output=text)


def parse_answer(message: AIMessage, schema: dict[str, Any] | type) -> Any:
    """Parse the answer's text as JSON and validate it against ``schema``.

    Args:
        message: The engine's answer.
        schema: A Pydantic class (an instance is returned), a TypedDict or a JSON
            Schema dict (a dict is returned).

    Returns:
        The Pydantic instance, or the parsed dict.

    Raises:
        OutputParserException: The answer is not JSON, or not valid for the schema.
    """
    text = message.text
    data = _json_text(text)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        try:
            return schema.model_validate(data)
        except ValidationError as error:
            msg = f"The answer's JSON is not a valid {schema.__name__}: {error}"
            raise OutputParserException(msg, llm_output=text) from error
    if not isinstance(data, dict):
        msg = f"The answer's JSON is a {type(data).__name__}, not an object: {text[:200]!r}"
        raise OutputParserException(msg, llm_output=text)
    required = json_schema_of(schema).get("required", [])
    missing = [name for name in required if name not in data]
    if missing:
        msg = f"The answer's JSON lacks the required field(s) {', '.join(missing)}."
        raise OutputParserException(msg, llm_output=text)
    return data


def check_options(method: str | None, kwargs: dict[str, Any]) -> None:
    """Refuse what a prompt-based structured output cannot honour.

    Args:
        method: ``"json_schema"`` (default) or ``"json_mode"``; ``"function_calling"``
            needs tool calling, which the API lacks.
        kwargs: Other options (``strict`` is accepted but cannot be enforced by the
            engine; anything else is refused).

    Raises:
        DataForSEOUnsupportedError: For ``function_calling`` or an unknown option.
    """
    if method is not None and method not in _METHODS:
        msg = (
            f"with_structured_output(method={method!r}) needs tool calling, which "
            "DataForSEO's LLM Responses API lacks; use method='json_schema' (the default): "
            "the schema is asked for in the system message and the answer parsed."
        )
        raise DataForSEOUnsupportedError(msg)
    unknown = sorted(set(kwargs) - {"strict"})
    if unknown:
        msg = f"with_structured_output takes no {', '.join(unknown)} on ChatDataForSEO."
        raise DataForSEOUnsupportedError(msg)


def structured_runnable(
    model: Runnable[LanguageModelInput, AIMessage],
    to_messages: Callable[[LanguageModelInput], Sequence[BaseMessage]],
    schema: dict[str, Any] | type,
    *,
    include_raw: bool,
) -> Runnable[LanguageModelInput, Any]:
    """Instruction, model, parser: the runnable ``with_structured_output`` returns.

    Args:
        model: The chat model.
        to_messages: Turns any model input into messages.
        schema: The output schema.
        include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of raising.

    Returns:
        The runnable.
    """
    instruction = SystemMessage(schema_instruction(schema))

    def instructed(value: LanguageModelInput) -> ChatPromptValue:
        return ChatPromptValue(messages=[instruction, *to_messages(value)])

    def parse(message: AIMessage) -> Any:
        return parse_answer(message, schema)

    llm = RunnableLambda(instructed, name="StructuredOutputInstruction") | model
    parser = RunnableLambda(parse, name="StructuredOutputParser")
    if not include_raw:
        return llm | parser
    parsed = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    ).with_fallbacks(
        [RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error"
    )
    return RunnableMap(raw=llm) | parsed
