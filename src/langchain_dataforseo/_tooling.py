"""What the tools say to the calling LLM: arguments, answers and actionable errors.

What the LLM Responses tool says to the calling LLM: the answer, its sources, its errors.

Pure text: the content (answer, numbered sources, searches), the structured artifact,
and error messages that say which field, limit or status code and what to do next.
Every tool of the package bounds what it hands the calling LLM with :func:`bounded`
(``max_output_chars``, default :data:`DEFAULT_MAX_OUTPUT_CHARS`): a hostile or runaway
answer cannot become millions of tokens for the LLM; the artifact keeps everything.

The tool's arguments, from the task-field table: the schema and the options they make.

The schema is what the calling LLM sees; the options go to ``ChatDataForSEO.invoke``.
``prompt`` (the question) is every engine's; the other arguments are the settings the
table gives a :class:`~langchain_dataforseo._api.fields.ToolArgument`, for the engines that
take them.

How a tool hands an API error to the calling LLM: a ``ToolException`` that says what to do.

Every tool's blocking ``_run`` and async ``_arun`` wrap their call in :func:`explained`,
so the mapping is written once and both stay thin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any, Final

from langchain_core.messages import AIMessage
from langchain_core.tools import ToolException
from pydantic import BaseModel, Field, ValidationError, create_model

from langchain_dataforseo._api.fields import (
    ENGINE_LABELS,
    MAX_PROMPT_CHARS,
    SETTINGS,
    TASK_FIELD,
    Engine,
    TaskField,
    engine_spec,
)
from langchain_dataforseo.errors import (
    DataForSEOAuthenticationError,
    DataForSEOBudgetError,
    DataForSEOConnectionError,
    DataForSEOError,
    DataForSEOInputError,
    DataForSEOInvalidRequestError,
    DataForSEONotFoundError,
    DataForSEOPaymentError,
    DataForSEORateLimitError,
    DataForSEOTimeoutError,
)

DEFAULT_MAX_OUTPUT_CHARS: Final = 20_000
"""What a tool hands the calling LLM at most, in characters (about 5,000 tokens)."""
MIN_OUTPUT_CHARS: Final = 100
"""The smallest ``max_output_chars`` a tool accepts (room for a useful first line)."""


def bounded(text: str, limit: int) -> str:
    """``text`` cut to its first ``limit`` characters, saying so when it was cut (pure).

    Args:
        text: What the tool would hand the calling LLM.
        limit: The tool's ``max_output_chars``.

    Returns:
        The text itself when it fits; else its first ``limit`` characters followed by
        ``[cut: N characters, showing the first limit; raise max_output_chars to see
        more]`` on a line of its own.
    """
    if len(text) <= limit:
        return text
    return (
        f"{text[:limit]}\n[cut: {len(text):,} characters, showing the first {limit:,}; "
        "raise max_output_chars to see more]"
    )


def explain_validation_error(error: ValidationError | Exception) -> str:
    """Turn a schema error into a message that tells the calling LLM what to change.

    Args:
        error: The error of the tool's argument schema.

    Returns:
        The message: each bad argument, its limit and what to do.
    """
    if not isinstance(error, ValidationError):
        return f"Invalid tool arguments: {error}"
    problems: list[str] = []
    for item in error.errors():
        field = ".".join(str(part) for part in item.get("loc", ())) or "arguments"
        value = item.get("input")
        ctx = item.get("ctx") or {}
        if item.get("type") == "string_too_long" and isinstance(value, str):
            problems.append(
                f"'{field}' is {len(value)} characters; the limit is {ctx.get('max_length')}. "
                "Shorten it and call the tool again."
            )
        elif item.get("type") == "string_too_short":
            problems.append(
                f"'{field}' is empty; it needs at least {ctx.get('min_length')} character(s)."
            )
        elif item.get("type") == "missing":
            problems.append(f"'{field}' is required and was not given.")
        else:
            problems.append(f"'{field}': {item.get('msg')} (got {value!r}).")
    return "Invalid tool arguments: " + " ".join(problems)


def actionable(error: DataForSEOError | DataForSEOInputError | DataForSEOBudgetError) -> str:
    """A message for the calling LLM: what went wrong and what to do next.

    Args:
        error: A refused input, a spent budget or an API error.

    Returns:
        The message, with the field and limit or the status code, and a hint.
    """
    if isinstance(error, DataForSEOBudgetError):
        return (
            f"Refused before sending (nothing was charged): the budget is spent ({error}). "
            "Do not call this tool again; answer with what you have."
        )
    if isinstance(error, DataForSEOInputError):
        return (
            f"Refused before sending (nothing was charged): {error} "
            f"[field {error.field!r}, limit {error.limit!r}, got {error.actual!r}] "
            "Change the arguments and call the tool again."
        )
    code = error.status_code if error.status_code is not None else "none"
    base = f"DataForSEO error (status code {code}): {error}"
    if isinstance(error, DataForSEORateLimitError) and error.status_code in (40205, 40206):
        hint = (
            "The account's limit on duplicate tasks (per hour or day) is reached: do not "
            "repeat this question; ask a different one or tell the user."
        )
    elif isinstance(error, DataForSEORateLimitError):
        hint = "Too many calls at once: wait a few seconds, then call again with fewer calls."
    elif isinstance(error, DataForSEOAuthenticationError):
        hint = (
            "The DataForSEO credentials were refused; calling again will not help. "
            "Tell the user to check DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD."
        )
    elif isinstance(error, DataForSEOPaymentError):
        hint = "The DataForSEO account cannot pay for this call; tell the user."
    elif isinstance(error, DataForSEONotFoundError):
        hint = "The model or endpoint was not found; use another tool or tell the user."
    elif isinstance(error, DataForSEOInvalidRequestError):
        hint = "The request was refused as invalid: change the arguments and call again."
    elif isinstance(error, DataForSEOTimeoutError):
        hint = (
            "No answer in time. The task may have run and been charged: do not repeat it "
            "more than once."
        )
    elif isinstance(error, DataForSEOConnectionError):
        hint = "DataForSEO could not be reached: try again later."
    else:
        hint = "DataForSEO or the engine behind it failed: try again later."
    return f"{base}. {hint}"


def format_content(message: AIMessage) -> str:
    """The tool's content: the answer, then the numbered sources, then the searches.

    Args:
        message: The chat model's answer.

    Returns:
        The text the calling LLM reads.
    """
    meta = message.response_metadata
    engine = str(meta.get("engine", ""))
    label = ENGINE_LABELS.get(engine, engine)
    lines = [f"Answer from {label} ({meta.get('model_name', '')}):", message.text.strip(), ""]
    annotations = meta.get("annotations") or []
    if annotations:
        lines.append("Sources cited:")
        for number, source in enumerate(annotations, start=1):
            title = source.get("title") or "(untitled)"
            lines.append(f"[{number}] {title} - {source.get('url', '')}")
    else:
        lines.append("Sources cited: none.")
    queries = meta.get("fan_out_queries") or []
    if queries:
        lines.append("")
        lines.append("Web searches it ran:")
        lines.extend(f"- {query}" for query in queries)
    return "\n".join(lines)


def artifact(message: AIMessage) -> dict[str, Any]:
    """The tool's artifact: the answer, structured.

    Args:
        message: The chat model's answer.

    Returns:
        ``text``, ``annotations``, ``fan_out_queries``, ``model_name``, ``engine``,
        ``usage``, ``cost`` and ``task_id``.
    """
    meta = message.response_metadata
    return {
        "text": message.text,
        "annotations": list(meta.get("annotations") or []),
        "fan_out_queries": list(meta.get("fan_out_queries") or []),
        "model_name": meta.get("model_name"),
        "engine": meta.get("engine"),
        "usage": dict(message.usage_metadata) if message.usage_metadata else None,
        "cost": meta.get("cost"),
        "task_id": meta.get("task_id"),
    }


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


@contextmanager
def explained(
    explain: Callable[[DataForSEOError], str], limit: int = DEFAULT_MAX_OUTPUT_CHARS
) -> Iterator[None]:
    """Turn a ``DataForSEOError`` raised inside into a ``ToolException`` (chained to it).

    Args:
        explain: Writes the message for the calling LLM (what went wrong, what to do).
        limit: The tool's ``max_output_chars``: a longer message is cut and says so.

    Raises:
        ToolException: With ``explain(error)``; anything else passes through unchanged.
    """
    try:
        yield
    except DataForSEOError as error:
        raise ToolException(bounded(explain(error), limit)) from error
