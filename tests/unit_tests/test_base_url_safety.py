"""Credentials never leave in clear: loopback names, passwords in URLs, the debug log."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_dataforseo import ChatDataForSEO, DataForSEOInputError
from langchain_dataforseo._transport.client import check_base_url, is_loopback_host, redact_url


@pytest.fixture(autouse=True)
def fresh_checks() -> Iterator[None]:
    check_base_url.cache_clear()
    yield
    check_base_url.cache_clear()


def resolving_to(monkeypatch: pytest.MonkeyPatch, address: str) -> list[str]:
    asked: list[str] = []

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_localhost_subdomain_that_resolves_elsewhere_is_not_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = resolving_to(monkeypatch, "203.0.113.7")
    assert not is_loopback_host("emulator.localhost")
    assert asked == ["emulator.localhost"]
    with pytest.raises(DataForSEOInputError, match="refused"):
        check_base_url("http://emulator.localhost:8080")


def test_a_localhost_subdomain_that_resolves_to_loopback_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving_to(monkeypatch, "127.0.0.1")
    assert check_base_url("http://emulator.localhost:8080/") == "http://emulator.localhost:8080"
    resolving_to(monkeypatch, "::1")
    assert is_loopback_host("emulator.localhost")


def test_a_name_that_does_not_resolve_is_not_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror("no such name")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert not is_loopback_host("nowhere.localhost")


def test_loopback_addresses_and_localhost_need_no_resolution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = resolving_to(monkeypatch, "203.0.113.7")
    assert is_loopback_host("127.0.0.1")
    assert is_loopback_host("[::1]")
    assert is_loopback_host("localhost")
    assert not is_loopback_host("example.com")
    assert asked == []


@pytest.mark.parametrize(
    "url",
    [
        "https://team:hunter2@api.dataforseo.com",
        "http://team:hunter2@example.com",
        "http://team:hunter2@127.0.0.1:8080",
    ],
)
def test_a_password_in_the_base_url_is_refused_and_never_shown(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[httpx.Request] = []
    given = httpx.Client(
        transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(500))
    )
    with caplog.at_level("DEBUG"), pytest.raises(DataForSEOInputError) as info:
        ChatDataForSEO(login="l", password="p", base_url=url, http_client=given)
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in repr(info.value.actual)
    # Set after the model was built (pydantic does not check assignments): refused at the call.
    model = ChatDataForSEO(login="l", password="p", http_client=given)
    model.base_url = url
    with caplog.at_level("DEBUG"), pytest.raises(DataForSEOInputError) as info:
        model.invoke("hi")
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in repr(info.value.actual)
    assert "hunter2" not in caplog.text
    assert seen == []  # refused before any request


def test_redact_url_hides_user_info() -> None:
    assert redact_url("https://u:p@host:1/x") == "https://***@host:1/x"
    assert redact_url("https://host/x") == "https://host/x"
