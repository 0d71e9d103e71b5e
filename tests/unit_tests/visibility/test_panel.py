import json
from pathlib import Path

import pytest

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility import Brand, Panel, PanelFileError

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "panel.toml"


def panel(**overrides):
    values = {
        "name": "crm",
        "prompts": ["Which CRM for an agency?"],
        "brand": Brand("HubSpot", domains=("hubspot.com",)),
        "competitors": ["Salesforce"],
        "engines": {"chat_gpt": "gpt-4.1-mini"},
    }
    values.update(overrides)
    settings = values.pop("settings", {})
    return Panel(**values, **settings)


def test_a_valid_panel_normalises_brands_and_domains():
    p = panel(competitors=[{"name": "Zoho CRM", "aliases": ["Zoho"], "domains": ["WWW.Zoho.com"]}])
    assert p.brands[1] == Brand("Zoho CRM", ("Zoho",), ("zoho.com",))
    assert p.brand.names == ("HubSpot",)
    assert p.samples == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"prompts": []}, "prompts"),
        ({"prompts": ["ok", " "]}, "prompts[1]"),
        ({"prompts": ["x" * 501]}, "prompts[0]"),
        ({"prompts": ["same", "same"]}, "prompts[1]"),
        ({"samples": 0}, "samples"),
        ({"samples": True}, "samples"),
        ({"engines": {}}, "engines"),
        ({"engines": {"bard": "x"}}, "engines.bard"),
        ({"engines": {"chat_gpt": ""}}, "engines.chat_gpt"),
        ({"brand": ""}, "brand.name"),
        ({"brand": {"name": "A", "domains": ["https://a.com/x"]}}, "brand.domains[0]"),
        ({"brand": {"name": "A", "colour": "red"}}, "brand.colour"),
        ({"competitors": ["hubspot"]}, "competitors[0].name"),
        ({"competitors": [{"name": "Hub", "aliases": ["HubSpot"]}]}, "competitors[0].aliases[0]"),
        ({"settings": {"temperature": 3.5}}, "settings.temperature"),
        ({"settings": {"frequency_penalty": 1}}, "settings.frequency_penalty"),
        ({"settings": {"tag": "mine"}}, "settings.tag"),
        ({"settings": {"force_web_search": True}}, "settings.force_web_search"),
    ],
)
def test_invalid_panels_name_the_field(overrides, field):
    with pytest.raises(DataForSEOInputError) as caught:
        panel(**overrides)
    assert caught.value.field == field


def test_prompt_limit_error_gives_limit_and_value():
    with pytest.raises(DataForSEOInputError, match="500") as caught:
        panel(prompts=["x" * 501])
    assert caught.value.limit == 500
    assert caught.value.actual == 501
    assert panel(prompts=["x" * 500]).prompts == ("x" * 500,)


def test_settings_are_checked_per_engine_with_the_chat_models_rules():
    # Claude takes temperature or top_p, never both; ChatGPT takes both.
    assert panel(settings={"temperature": 0.5, "top_p": 0.5}).settings == {
        "temperature": 0.5,
        "top_p": 0.5,
    }
    with pytest.raises(DataForSEOInputError, match="never both") as caught:
        panel(engines={"claude": "claude-haiku-4-5"}, settings={"temperature": 0.5, "top_p": 0.5})
    assert caught.value.field == "settings.top_p"
    with pytest.raises(DataForSEOInputError) as caught:
        Panel(
            "p",
            ["q"],
            "B",
            engines={"claude": "claude-haiku-4-5"},
            engine_settings={"claude": {"web_search_country_iso_code": "XX"}},
            web_search=True,
        )
    assert caught.value.field == "engine_settings.claude.web_search_country_iso_code"


def test_web_search_is_not_sent_to_perplexity_and_engine_settings_override():
    p = Panel(
        "p",
        ["q"],
        "B",
        engines={"perplexity": "sonar", "chat_gpt": "gpt-4.1-mini"},
        engine_settings={"chat_gpt": {"max_output_tokens": 500}},
        web_search=True,
        max_output_tokens=800,
    )
    assert p.task_settings("perplexity") == {"max_output_tokens": 800}
    assert p.task_settings("chat_gpt") == {"web_search": True, "max_output_tokens": 500}
    with pytest.raises(DataForSEOInputError) as caught:
        Panel("p", ["q"], "B", engines={"chat_gpt": "m"}, engine_settings={"gemini": {}})
    assert caught.value.field == "engine_settings.gemini"


def test_to_dict_round_trips():
    p = Panel.from_file(EXAMPLE)
    assert Panel.from_dict(p.to_dict()) == p


def test_the_example_panel_file_loads():
    p = Panel.from_file(EXAMPLE)
    assert p.brand.name == "HubSpot"
    assert [c.name for c in p.competitors] == ["Salesforce", "Pipedrive", "Zoho CRM"]
    assert set(p.engines) == {"chat_gpt", "gemini", "perplexity"}
    assert p.samples == 5
    assert p.task_settings("chat_gpt")["web_search_country_iso_code"] == "US"


def test_a_json_panel_file_loads(tmp_path):
    file = tmp_path / "panel.json"
    file.write_text(json.dumps(Panel.from_file(EXAMPLE).to_dict(), indent=2))
    assert Panel.from_file(file) == Panel.from_file(EXAMPLE)


def test_a_toml_syntax_error_names_file_and_line(tmp_path):
    file = tmp_path / "bad.toml"
    file.write_text('name = "x"\nprompts = ["a",\nsamples = = 3\n')
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.line is not None
    assert caught.value.field == "file"
    assert str(file) in str(caught.value)
    assert f"line {caught.value.line}" in str(caught.value)


def test_a_json_syntax_error_names_the_line(tmp_path):
    file = tmp_path / "bad.json"
    file.write_text('{\n  "name": "x",\n  "samples": 3,,\n}\n')
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.line == 3


def test_a_field_error_names_the_field_and_its_line(tmp_path):
    text = EXAMPLE.read_text().replace('gemini = "gemini-2.5-flash"', 'bard = "x"')
    file = tmp_path / "panel.toml"
    file.write_text(text)
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    error = caught.value
    assert error.field == "engines.bard"
    assert text.splitlines()[error.line - 1].startswith("bard =")
    assert f"{file}, line {error.line}: engines.bard" in str(error)


def test_a_nested_field_error_in_json_finds_its_line(tmp_path):
    data = Panel.from_file(EXAMPLE).to_dict()
    data["competitors"][1]["domains"] = ["http://pipedrive.com/"]
    text = json.dumps(data, indent=2)
    file = tmp_path / "panel.json"
    file.write_text(text)
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.field == "competitors[1].domains[0]"
    lines = text.splitlines()
    line = caught.value.line
    assert lines[line - 1].strip() == '"http://pipedrive.com/"'  # the element's own line
    # the second competitor's domains (Pipedrive), not the first one's
    assert any("Pipedrive" in above for above in lines[line - 5 : line - 1])


def test_a_toml_array_of_tables_error_finds_the_right_table(tmp_path):
    text = EXAMPLE.read_text().replace('domains = ["zoho.com"]', 'domains = ["zoho com"]')
    file = tmp_path / "panel.toml"
    file.write_text(text)
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.field == "competitors[2].domains[0]"
    assert text.splitlines()[caught.value.line - 1] == 'domains = ["zoho com"]'


def test_unknown_keys_and_a_missing_file(tmp_path):
    file = tmp_path / "p.toml"
    file.write_text(
        'name = "x"\nprompts = ["a"]\nbrand = "B"\nsampels = 3\n[engines]\nclaude = "m"\n'
    )
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.field == "sampels"
    assert caught.value.line == 4
    with pytest.raises(PanelFileError, match="cannot read"):
        Panel.from_file(tmp_path / "missing.toml")


def test_a_panel_is_immutable():
    p = panel(settings={"web_search": True})
    with pytest.raises(TypeError):
        p.engines["claude"] = "x"
    with pytest.raises(TypeError):
        p.settings["web_search"] = False
    with pytest.raises(AttributeError):
        p.samples = 9
