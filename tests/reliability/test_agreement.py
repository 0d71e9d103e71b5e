"""The client's own checks agree with the API (as the emulator models it).

For any settings a user may give, either the client refuses them before sending
(``DataForSEOInputError``: nothing is spent) or the emulator accepts the request. A
request the API would reject must never leave the machine; this property catches the
client's and the emulator's rule tables drifting apart.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import ValidationError

from langchain_dataforseo import ChatDataForSEO, DataForSEOInputError
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorTransport

pytestmark = pytest.mark.slow

# the package decides reasoning-model rules from the models answers' ``reasoning`` flag,
# which the documented catalogue (the emulator's default shape) lacks: ask for the flag
EMULATOR = Emulator(EmulatorConfig(models_shape="reasoning"))
MODELS = {
    "chat_gpt": ["gpt-4.1-mini", "gpt-4o", "gpt-5", "o3-mini", "o4-mini"],
    "claude": ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-haiku", "claude-opus-4-0"],
    "gemini": ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-1.5-pro"],
    "perplexity": ["sonar", "sonar-pro", "sonar-reasoning"],
}
maybe = st.none().__or__


@st.composite
def requests(draw: Any) -> tuple[dict[str, Any], list[Any]]:
    engine = draw(st.sampled_from(sorted(MODELS)))
    params: dict[str, Any] = {"engine": engine, "model": draw(st.sampled_from(MODELS[engine]))}
    optional = {
        "temperature": maybe(st.floats(min_value=-0.5, max_value=2.5, allow_nan=False)),
        "top_p": maybe(st.floats(min_value=-0.2, max_value=1.2, allow_nan=False)),
        "max_tokens": maybe(st.sampled_from([1, 15, 16, 500, 1023, 1024, 1025, 2048, 4096, 4097])),
        "web_search": maybe(st.booleans()),
        "force_web_search": maybe(st.booleans()),
        "web_search_country_iso_code": maybe(st.sampled_from(["US", "FR", "UA", "us"])),
        "web_search_city": maybe(st.sampled_from(["Paris", "New York"])),
        "use_reasoning": maybe(st.booleans()),
    }
    for name, strategy in optional.items():
        value = draw(strategy)
        if value is not None and draw(st.integers(0, 3)) == 0:  # a few settings at a time
            params[name] = value
    history = draw(
        st.lists(st.sampled_from(["user", "ai"]), max_size=4).map(
            lambda roles: [
                HumanMessage(f"turn {i}") if r == "user" else AIMessage(f"turn {i}")
                for i, r in enumerate(roles)
            ]
        )
    )
    return params, [*history, HumanMessage("Which CRM do agencies use?")]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=requests())
def test_whatever_the_client_sends_the_api_accepts(case: tuple[dict[str, Any], list[Any]]) -> None:
    params, messages = case
    try:
        model = ChatDataForSEO(
            login="emulator-login",
            password="emulator-password",
            base_url="http://127.0.0.1",
            max_retries=0,
            http_client=httpx.Client(transport=EmulatorTransport(EMULATOR)),
            **params,
        )
    except ValidationError:
        event("refused at construction")
        return
    except DataForSEOInputError as error:
        event(f"refused at construction: {error.field}")
        return  # nothing can be sent
    try:
        answer = model.invoke(messages)
    except DataForSEOInputError as error:
        event(f"refused before sending: {error.field}")
        return  # nothing spent
    event("sent and accepted")
    assert isinstance(answer, AIMessage)  # sent, so the API must have accepted it
