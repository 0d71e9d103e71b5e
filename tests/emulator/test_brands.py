from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from langchain_dataforseo.emulator import (
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.emulator.__main__ import main
from langchain_dataforseo.emulator._brands import brand_answer

from .conftest import AUTH, path

DATA = {
    "seed": 3,
    "prompt_pattern": "crm",
    "brands": [
        {"name": "HubSpot", "mention_probability": {"chat_gpt": 0.6}, "aliases": ["HubSpot CRM"]},
        {"name": "Salesforce", "mention_probability": 0.4},
    ],
    "domains": [{"domain": "hubspot.com", "citation_rate": 0.3, "hosts": ["", "blog."]}],
}


def test_from_dict_builds_the_catalogue() -> None:
    catalogue = BrandCatalogue.from_dict(DATA)
    assert catalogue == BrandCatalogue(
        (
            CatalogueBrand("HubSpot", {"chat_gpt": 0.6}, ("HubSpot CRM",)),
            CatalogueBrand("Salesforce", 0.4),
        ),
        (CatalogueDomain("hubspot.com", 0.3, ("", "blog.")),),
        seed=3,
        prompt_pattern="crm",
    )
    assert catalogue.brands[0].probability("gemini") == 0.0  # engines left out: never named
    assert catalogue.applies("Best CRM?")
    assert not catalogue.applies("Best pizza?")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"brand": []}, "needs 'brands'"),
        ({"brands": [{"name": "A", "mention_probability": 1.5}]}, "between 0 and 1"),
        ({"brands": [{"name": "A", "mention_probability": {"bard": 0.1}}]}, "unknown engines"),
        ({"brands": [{"name": "A", "mention_probability": 0.1, "colour": 1}]}, "unknown keys"),
        ({"brands": [], "domains": [{"domain": "a.com", "citation_rate": -1}]}, "between 0 and 1"),
    ],
)
def test_bad_catalogues_are_refused(data: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        BrandCatalogue.from_dict(data)


def test_truth_follows_the_definitions() -> None:
    catalogue = BrandCatalogue.from_dict(DATA)
    truth = catalogue.truth("chat_gpt", {"HubSpot": ("hubspot.com",)})
    # any named = 1 - .4 * .6 = .76; answer share HubSpot = .6 / .76
    assert truth["answer_share"]["HubSpot"] == pytest.approx(0.6 / 0.76)
    # share of voice: its mentions / all mentions = .6 / (.6 + .4), summing to 1
    assert truth["share_of_voice"]["HubSpot"] == pytest.approx(0.6)
    assert sum(truth["share_of_voice"].values()) == pytest.approx(1.0)
    # rank: 1 + P(Salesforce named) / 2
    assert truth["average_position"]["HubSpot"] == pytest.approx(1.2)
    # the only domain is HubSpot's: every citing answer cites it
    assert truth["citation_rate"]["HubSpot"] == pytest.approx(1.0)
    assert truth["citation_share"] == {"hubspot.com": 1.0}


def test_the_cli_refuses_a_bad_catalogue_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "brands.json"
    bad.write_text(json.dumps({"brands": [{"name": "A", "mention_probability": 2}]}))
    with pytest.raises(SystemExit) as caught:
        main(["--brand-catalogue", str(bad)])
    assert caught.value.code == 2
    assert f"--brand-catalogue {bad}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--brand-catalogue", str(tmp_path / "missing.json")])


def test_a_standard_task_gets_the_live_answer_for_the_same_tag() -> None:
    emulator = Emulator(EmulatorConfig(brand_catalogue=BrandCatalogue.from_dict(DATA)))
    client = httpx.Client(
        transport=EmulatorTransport(emulator), base_url="http://emulator.local", auth=AUTH
    )
    body = {"user_prompt": "Best CRM?", "model_name": "gpt-4.1-mini", "web_search": True}
    live = client.post(path("chat_gpt", "live"), json=[{**body, "tag": "s1"}]).json()
    posted = client.post(path("chat_gpt", "task_post"), json=[{**body, "tag": "s1"}]).json()
    task_id = posted["tasks"][0]["id"]
    got = client.get(path("chat_gpt", f"task_get/{task_id}")).json()
    live_items = live["tasks"][0]["result"][0]["items"]
    assert got["tasks"][0]["result"][0]["items"] == live_items
    texts = set()
    for tag in range(10):
        reply = client.post(path("chat_gpt", "live"), json=[{**body, "tag": f"t{tag}"}]).json()
        texts.add(reply["tasks"][0]["result"][0]["items"][0]["sections"][0]["text"])
    assert len(texts) >= 3  # distinct tags: distinct samples


def test_planted_sentiment_is_in_the_text_and_the_truth() -> None:
    data = {
        "seed": 3,
        "brands": [
            {
                "name": "HubSpot",
                "mention_probability": 1.0,
                "sentiment": {"positive": 1.0},
                "recommend_probability": 0.0,
            },
            {"name": "Pipedrive", "mention_probability": 1.0, "recommend_probability": 1.0},
            {"name": "Salesforce", "mention_probability": 1.0},
        ],
    }
    catalogue = BrandCatalogue.from_dict(data)
    truth = catalogue.truth("chat_gpt")
    assert truth["positive_rate"] == {"HubSpot": 1.0}
    assert truth["negative_rate"] == {"HubSpot": 0.0}
    assert truth["recommended_rate"] == {"HubSpot": 0.0, "Pipedrive": 1.0}
    lines, _, _ = brand_answer(catalogue, "chat_gpt", {"tag": "t"}, "crm", web_search=False)
    by_brand = {line.split("**")[1]: line for line in lines if "**" in line}
    assert by_brand["HubSpot"].endswith(
        "is an excellent choice, with consistently strong reviews. I would not recommend it."
    )
    assert by_brand["Pipedrive"].endswith(". I recommend it.")
    assert "recommend" not in by_brand["Salesforce"]  # no planted cue: the usual blurb
    with pytest.raises(ValueError, match="must sum to 1"):
        BrandCatalogue((CatalogueBrand("X", 0.5, sentiment={"positive": 0.5}),))
    with pytest.raises(ValueError, match="unknown keys"):
        BrandCatalogue((CatalogueBrand("X", 0.5, sentiment={"great": 1.0}),))
    with pytest.raises(ValueError, match="recommend_probability"):
        BrandCatalogue((CatalogueBrand("X", 0.5, recommend_probability=1.5),))
