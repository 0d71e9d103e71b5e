"""Cassettes: no credential is ever written, and replay never reaches for the network."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.testing import use_cassette, vcr_config

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
CASSETTE_FILES = sorted(p for p in CASSETTES.rglob("*.yaml"))
KNOWN_SECRETS = ["emulator-password", "cassette-password", "offline:offline"]


def secrets_to_look_for() -> list[str]:
    secrets = list(KNOWN_SECRETS)
    for login, password in [
        ("emulator-login", "emulator-password"),
        ("cassette-login", "cassette-password"),
        ("offline", "offline"),
        (os.environ.get("DATAFORSEO_LOGIN", ""), os.environ.get("DATAFORSEO_PASSWORD", "")),
    ]:
        if login and password:
            secrets.append(base64.b64encode(f"{login}:{password}".encode()).decode())
    if os.environ.get("DATAFORSEO_PASSWORD"):
        secrets.append(os.environ["DATAFORSEO_PASSWORD"])
    return secrets


def test_there_are_cassettes_to_check() -> None:
    assert len(CASSETTE_FILES) >= 20


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_no_cassette_contains_a_credential(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for secret in secrets_to_look_for():
        assert secret not in text
    assert not re.search(r"Basic [A-Za-z0-9+/=]{8,}", text)
    assert not re.search(r"^\s+authorization:", text, flags=re.IGNORECASE | re.MULTILINE)


def test_default_record_mode_is_replay_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAFORSEO_VCR_RECORD_MODE", raising=False)
    assert vcr_config()["record_mode"] == "none"


def test_a_missing_cassette_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAFORSEO_VCR_RECORD_MODE", raising=False)
    model = ChatDataForSEO(login="l", password="p", max_retries=0)
    with (
        use_cassette(tmp_path / "absent.yaml"),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        model.invoke("a question nobody recorded")


def test_replay_ignores_the_host_so_any_base_url_matches() -> None:
    cassette = CASSETTES / "examples" / "quickstart.yaml"
    prompt = "What are the best project management tools for small marketing agencies?"
    with use_cassette(cassette, "none"):
        for base_url in ("https://api.dataforseo.com", "http://127.0.0.1:9"):
            model = ChatDataForSEO(
                login="l",
                password="p",
                base_url=base_url,
                web_search=True,
                web_search_country_iso_code="US",
            )
            assert model.invoke(prompt).response_metadata["annotations"]


def test_recorded_requests_keep_only_harmless_headers() -> None:
    text = (CASSETTES / "examples" / "quickstart.yaml").read_text(encoding="utf-8")
    headers = set(re.findall(r"^\s{6}([a-z-]+):$", text, flags=re.MULTILINE))
    assert headers <= {"accept", "content-type"}
