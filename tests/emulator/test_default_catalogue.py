"""The emulator's command line serves the example panels' brand catalogue and says so.

Without a catalogue, the example panel measured 33.3% mention and 100% share of voice for
every brand with no word why (issue 19, point 12): only prompts that name brands got them
echoed back. The CLI now serves a built-in catalogue (the same as ``examples/brands.json``)
unless told otherwise, and prints which catalogue is in use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

import langchain_dataforseo.emulator as emulator_pkg
from langchain_dataforseo.emulator import BrandCatalogue, Emulator, EmulatorConfig
from langchain_dataforseo.emulator.__main__ import build_parser
from langchain_dataforseo.emulator._brands import (
    DEFAULT_BRANDS,
    default_catalogue,
    describe_catalogue,
)

from .conftest import AUTH

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_DIR = Path(emulator_pkg.__file__).parent


def test_examples_brands_json_is_the_built_in_catalogue() -> None:
    shipped = json.loads((ROOT / "examples" / "brands.json").read_text(encoding="utf-8"))
    assert shipped == DEFAULT_BRANDS
    BrandCatalogue.from_dict(shipped)  # valid


@pytest.mark.parametrize("panel", ["panel.toml", "panel_surfaces.toml"])
def test_the_default_catalogue_covers_the_example_panels(panel: str) -> None:
    data = tomllib.loads((ROOT / "examples" / panel).read_text(encoding="utf-8"))
    catalogue = default_catalogue()
    assert all(catalogue.applies(prompt) for prompt in data["prompts"])
    known = {b.name for b in catalogue.brands}
    assert {data["brand"]["name"], *(c["name"] for c in data["competitors"])} <= known
    for engine in data["engines"]:
        rates = catalogue.truth(engine)["mention_rate"]
        assert len(set(rates.values())) > 1, "the brands differ, as a panel should find"


def test_cli_default_is_the_built_in_catalogue() -> None:
    assert build_parser().parse_args([]).brand_catalogue == "default"


def _startup_lines(*flags: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(EMULATOR_DIR.parent.parent)}
    proc = subprocess.Popen(  # noqa: S603 - our own module, fixed flags
        [sys.executable, "-m", "langchain_dataforseo.emulator", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        return [proc.stdout.readline().strip() for _ in range(3)]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_cli_says_which_catalogue_is_in_use() -> None:
    default = _startup_lines()
    assert default[1].startswith("brand catalogue: built-in default (as examples/brands.json)")
    assert "HubSpot, Salesforce, Pipedrive, Zoho CRM" in default[1]
    assert default[2] == "models answers: documented shape"
    none = _startup_lines("--brand-catalogue", "none", "--models-shape", "reasoning")
    assert none[1].startswith("brand catalogue: none: answers name no brand of their own")
    assert none[2] == "models answers: reasoning shape"
    shipped = str(ROOT / "examples" / "brands.json")
    from_file = _startup_lines("--brand-catalogue", shipped)
    assert from_file[1].startswith(f"brand catalogue: {shipped}: 4 brands")


def test_the_control_endpoint_says_which_catalogue_is_in_use() -> None:
    for catalogue in (None, default_catalogue()):
        emu = Emulator(EmulatorConfig(brand_catalogue=catalogue))
        with httpx.Client(
            transport=emulator_pkg.EmulatorTransport(emu), base_url="http://e", auth=AUTH
        ) as client:
            body = client.get("/emulator/brand_catalogue").json()
        assert body == {"brand_catalogue": describe_catalogue(catalogue)}
        assert emu.ledger()["calls"].get("total", 0) == 0


def test_a_client_can_ask_a_loopback_emulator_for_its_catalogue() -> None:
    from langchain_dataforseo.emulator import EmulatorServer, emulator_catalogue_note

    emu = Emulator(EmulatorConfig(brand_catalogue=default_catalogue()))
    with EmulatorServer(emu, host="127.0.0.1", port=0) as server:
        note = emulator_catalogue_note(server.base_url, *AUTH)
        assert note == f"emulator brand catalogue: {describe_catalogue(default_catalogue())}"
        assert emulator_catalogue_note(server.base_url, "wrong", "creds") is None
    assert emulator_catalogue_note("https://api.dataforseo.com", *AUTH) is None  # never asked
    assert emulator_catalogue_note(None, *AUTH) is None
