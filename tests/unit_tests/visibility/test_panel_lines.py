"""An error in a list element of a panel file names the element's own line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from langchain_dataforseo.visibility._cli import EXIT_PANEL, main
from langchain_dataforseo.visibility._errors import PanelFileError
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._panel_file import field_line

TOML = """name = "lines"
samples = 2
prompts = [
  "Which CRM suits a small agency?",  # a comment with a ] and a ,
  \"\"\"A prompt over
two lines ], \"\"\",
  'a literal \\\\ prompt',
  "   ",
]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
"""


def test_a_blank_prompt_in_a_multi_line_toml_list_names_its_own_line(tmp_path: Path) -> None:
    file = tmp_path / "panel.toml"
    file.write_text(TOML, encoding="utf-8")
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.field == "prompts[3]"
    assert caught.value.line == 8  # the "   " line, not the "prompts = [" line (3)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(file)], stdout=out, stderr=err) == EXIT_PANEL
    assert f"{file}, line 8: prompts[3] must be a non-blank string" in err.getvalue()


def test_an_error_in_a_json_list_element_names_its_own_line(tmp_path: Path) -> None:
    data = {
        "name": "lines",
        "prompts": ["Which CRM suits a small agency?"],
        "brand": {"name": "HubSpot"},
        # the first competitor has no domains: the second's are the first "domains" key
        "competitors": [
            {"name": "Salesforce"},
            {"name": "Pipedrive", "domains": ["pipedrive.com", "http://pipedrive.com/"]},
        ],
        "engines": {"chat_gpt": "gpt-4.1-mini"},
    }
    text = json.dumps(data, indent=2)
    file = tmp_path / "panel.json"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(file)
    assert caught.value.field == "competitors[1].domains[1]"
    assert caught.value.line is not None
    assert text.splitlines()[caught.value.line - 1].strip() == '"http://pipedrive.com/"'


@pytest.mark.parametrize(
    ("dotted", "toml", "text", "line"),
    [
        ("prompts[1]", False, '{\n "prompts": [\n  "a",\n  "b"\n ]\n}', 4),
        ("prompts[1]", False, '{"prompts": ["a,]", "b"]}', 1),
        ("prompts[2]", True, 'prompts = [\n  ["x", "]"],\n  {a = "}"},\n  3,\n]', 4),
        ("competitors[1].name", True, "[[competitors]]\nname = 1\n[[competitors]]\nname = 2", 4),
        ("prompts[5]", True, 'prompts = [\n  "a",\n]', 1),  # no such element: the key's line
    ],
)
def test_field_line_finds_list_elements(dotted: str, toml: bool, text: str, line: int) -> None:
    assert field_line(text, dotted, toml=toml) == line
