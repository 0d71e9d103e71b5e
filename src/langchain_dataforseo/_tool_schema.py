"""The tool's arguments, from the task-field table: the schema and the options they make.

The schema is what the calling LLM sees; the options go to ``ChatDataForSEO.invoke``.
``prompt`` (the question) is every engine's; the other arguments are the settings the
table gives a :class:`~langchain_dataforseo._settings.ToolArgument`, for the engines that
take them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from pydantic import BaseModel, Field, create_model

from langchain_dataforseo._constants import MAX_PROMPT_CHARS, Engine
from langchain_dataforseo._engines import ENGINE_LABELS, engine_spec
from langchain_dataforseo._settings import SETTINGS, TASK_FIELD, TaskField

PROMPT_DESCRIPTION: Final = (
    "The question to ask, sent exactly as written with no conversation history: make it "
    f"self-contained. At most {MAX_PROMPT_CHARS} characters."
)
"""The ``prompt`` argument's description, written for the calling LLM."""

TOOL_SETTINGS: Final[tuple[TaskField, ...]] = tuple(item for item in SETTINGS if item.tool)
"""The settings the calling LLM may set, in the table's order."""


def tool_settings(engine: str) -> tuple[TaskField, ...]:
    """The settings one engine's tool offers as arguments (besides ``prompt``).

    Args:
        engine: The engine.

    Returns:
        The table's tool settings that the engine takes.
    """
    fields = engine_spec(engine).fields
    return tuple(item for item in TOOL_SETTINGS if item.name in fields)


@cache
def tool_input_schema(engine: Engine) -> type[BaseModel]:
    """The tool's ``args_schema`` for one engine: only the arguments that engine takes.

    Every engine takes ``prompt``; ChatGPT, Claude and Gemini take ``web_search``;
    ChatGPT, Claude and Perplexity take ``web_search_country_iso_code`` (Perplexity
    always searches, so it has no ``web_search``).

    Args:
        engine: ``"chat_gpt"``, ``"claude"``, ``"gemini"`` or ``"perplexity"``.

    Returns:
        A pydantic model whose field descriptions are written for the calling LLM.
    """
    fields: dict[str, Any] = {
        "prompt": (
            str,
            Field(min_length=1, max_length=MAX_PROMPT_CHARS, description=PROMPT_DESCRIPTION),
        )
    }
    for item in tool_settings(engine):
        assert item.tool is not None  # noqa: S101 - TOOL_SETTINGS have one
        fields[item.name] = (
            item.kind | None,
            Field(default=None, pattern=item.tool.pattern, description=item.tool.description),
        )
    label = ENGINE_LABELS[engine]
    schema: type[BaseModel] = create_model(
        f"Ask{label.replace(' ', '')}Input",
        __doc__=f"Arguments of a question to {label} through DataForSEO.",
        **fields,
    )
    return schema


def tool_options(engine: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The per-call options of the tool's arguments (``prompt`` aside).

    Unset arguments are left out (the tool's defaults apply); an argument is upper-cased
    or turns on the setting it implies when the table says so.

    Args:
        engine: The tool's engine.
        arguments: The arguments the calling LLM gave, by setting name.

    Returns:
        Options for ``ChatDataForSEO.invoke``.
    """
    fields = engine_spec(engine).fields
    options: dict[str, Any] = {}
    for name, value in arguments.items():
        tool = TASK_FIELD[name].tool
        if value is None or tool is None:
            continue
        options[name] = value.upper() if tool.upper and isinstance(value, str) else value
        implied = tool.implies
        if implied is not None and arguments.get(implied) is None and implied in fields:
            options[implied] = True
    return options
