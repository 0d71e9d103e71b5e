"""A base URL never carries credentials into a repr, a dump or an error; bad IDNA is input.

Every public class that takes ``base_url`` refuses ``https://user:pass@host`` when it is
built, with a ``DataForSEOInputError`` that names ``base_url`` and shows ``***`` in place of
the userinfo; so there is no object whose ``repr``, ``dumpd`` or ``model_dump_json`` could
show the password. A host that is not a valid international domain name (``xn--...``) is
an input error naming ``base_url``, not an ``idna`` exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.load import dumpd, dumps

from langchain_dataforseo import ChatDataForSEO, DataForSEOInputError
from langchain_dataforseo._transport.client import DataForSEOClient, check_base_url
from langchain_dataforseo.mentions import (
    DataForSEOLLMMentionsCompareTool,
    DataForSEOLLMMentionsHistoryTool,
    DataForSEOLLMMentionsRetriever,
    DataForSEOLLMMentionsTargetMetricsTool,
    DataForSEOLLMMentionsTopMentionedTool,
)
from langchain_dataforseo.scraper import DataForSEOLLMScraperLoader, DataForSEOLLMScraperTool

SECRET = "hunter2-zq9"
CREDENTIALED = [
    f"https://team:{SECRET}@api.dataforseo.com",
    f"http://team:{SECRET}@127.0.0.1:8080/",
    f"https://{SECRET}@api.dataforseo.com/v3",
    f"https://team:{SECRET}@host:notaport/x",  # unparseable too: still refused, still hidden
]
AUTH: dict[str, Any] = {"login": "l", "password": "p"}

BUILDERS: dict[str, Callable[..., Any]] = {
    "ChatDataForSEO": lambda **kw: ChatDataForSEO(**AUTH, **kw),
    "DataForSEOClient": lambda **kw: DataForSEOClient(**AUTH, **kw),
    "TargetMetricsTool": lambda **kw: DataForSEOLLMMentionsTargetMetricsTool(**AUTH, **kw),
    "CompareTool": lambda **kw: DataForSEOLLMMentionsCompareTool(**AUTH, **kw),
    "TopMentionedTool": lambda **kw: DataForSEOLLMMentionsTopMentionedTool(**AUTH, **kw),
    "HistoryTool": lambda **kw: DataForSEOLLMMentionsHistoryTool(**AUTH, **kw),
    "Retriever": lambda **kw: DataForSEOLLMMentionsRetriever(**AUTH, **kw),
    "ScraperTool": lambda **kw: DataForSEOLLMScraperTool(**AUTH, **kw),
    "ScraperLoader": lambda **kw: DataForSEOLLMScraperLoader(["crm"], **AUTH, **kw),
}


@pytest.fixture(autouse=True)
def fresh_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("DATAFORSEO_BASE_URL", raising=False)
    check_base_url.cache_clear()
    yield
    check_base_url.cache_clear()


def shown_everywhere(built: Any) -> str:
    """Every representation of an object that a user or a tracer may print or store."""
    texts = [repr(built), str(built)]
    if hasattr(built, "model_dump_json"):
        texts.append(built.model_dump_json(fallback=repr))
    if hasattr(built, "to_json"):
        texts.extend([repr(dumpd(built)), dumps(built)])
    return "\n".join(texts)


def assert_refused_and_hidden(error: DataForSEOInputError) -> None:
    assert error.field == "base_url"
    assert "login= and password=" in str(error)
    assert "***@" in str(error)
    for text in (str(error), repr(error), repr(error.actual), repr(error.args)):
        assert SECRET not in text


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("url", CREDENTIALED)
def test_a_base_url_with_credentials_is_refused_when_built_and_never_shown(
    name: str, url: str
) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        BUILDERS[name](base_url=url)
    assert_refused_and_hidden(info.value)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_credentials_in_the_environment_base_url_are_refused_too(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAFORSEO_BASE_URL", CREDENTIALED[0])
    with pytest.raises(DataForSEOInputError) as info:
        BUILDERS[name]()
    assert_refused_and_hidden(info.value)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_clean_base_url_is_kept_and_shown_whole(name: str) -> None:
    built = BUILDERS[name](base_url="https://api.dataforseo.com")
    assert SECRET not in shown_everywhere(built)
    if name != "ScraperLoader":  # the loader keeps only its client
        assert "api.dataforseo.com" in shown_everywhere(built) or name == "DataForSEOClient"


def test_a_user_named_like_the_mask_is_refused_too() -> None:
    with pytest.raises(DataForSEOInputError):
        ChatDataForSEO(**AUTH, base_url="https://***@api.dataforseo.com")


def test_an_at_sign_after_the_authority_is_not_userinfo() -> None:
    assert check_base_url("https://api.dataforseo.com/x@y") == "https://api.dataforseo.com/x@y"
    ChatDataForSEO(**AUTH, base_url="https://api.dataforseo.com?team@x")


# --------------------------------------------------------------------------- IDNA


@pytest.mark.parametrize(
    "url",
    [
        "http://xn--localhost",
        "https://xn--a.com",
        "https://xn--zz-.com",
        "https://xn--.com",
    ],
)
def test_an_invalid_international_host_is_an_input_error_naming_base_url(url: str) -> None:
    with pytest.raises(DataForSEOInputError) as info:
        check_base_url(url)
    assert info.value.field == "base_url"
    assert "international" in str(info.value)
    model = ChatDataForSEO(**AUTH, base_url=url)
    with pytest.raises(DataForSEOInputError):
        model.invoke("hi")  # refused before any request (no network in tests)


@settings(max_examples=200, deadline=None)
@given(
    label=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=0, max_size=20),
    scheme=st.sampled_from(["http", "https"]),
    tld=st.sampled_from(["", ".com", ".localhost", ".xn--p1ai"]),
)
def test_any_xn_host_is_accepted_or_refused_as_input_never_an_idna_error(
    label: str, scheme: str, tld: str
) -> None:
    url = f"{scheme}://xn--{label}{tld}"
    refused: DataForSEOInputError | None = None
    try:
        check_base_url(url)
    except DataForSEOInputError as error:
        refused = error
    assert refused is None or refused.field == "base_url"
