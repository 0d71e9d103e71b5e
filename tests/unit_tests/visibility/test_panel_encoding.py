"""Panel files (and the emulator's brand catalogue) that are not UTF-8, too deep, or hold a
lone surrogate: a clean error naming the file and the problem, never a traceback."""

from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_dataforseo.emulator.__main__ import main as emulator_main
from langchain_dataforseo.visibility import Panel, PanelFileError, VisibilityStore
from langchain_dataforseo.visibility._cli import EXIT_OK, EXIT_PANEL
from langchain_dataforseo.visibility._panel_file import (
    MAX_PANEL_DEPTH,
    data_problem,
    decode_panel,
)

TOML = """name = "enc"
samples = 1
prompts = ["Quel CRM pour une agence à Zürich ?"]
[brand]
name = "HubSpot"
[engines]
chat_gpt = "gpt-4.1-mini"
"""
JSON = (
    '{"name": "enc", "samples": 1, "prompts": ["Quel CRM pour une agence à Zürich ?"], '
    '"brand": "HubSpot", "engines": {"chat_gpt": "gpt-4.1-mini"}}'
)
CLI = (sys.executable, "-m", "langchain_dataforseo.visibility")


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own module
        [*CLI, "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of bad file, with what its error must say."""
    files: dict[str, tuple[bytes, str, str]] = {
        "latin-1": (TOML.encode("latin-1"), "toml", "byte 0xE0 at line 3, column 38 is not UTF-8"),
        "utf-16": (TOML.encode("utf-16"), "toml", "the file is UTF-16"),
        "utf-16-le": (JSON.encode("utf-16-le"), "json", "the file has NUL bytes"),
        "utf-32": (JSON.encode("utf-32"), "json", "the file is UTF-32"),
        "deep-json": (b"[" * 100_000 + b"]" * 100_000, "json", "nested too deeply to read"),
        "deep-toml": (b"a = " + b"[" * 5000 + b"]" * 5000, "toml", "nested too deeply to read"),
        "deep-settings": (
            JSON[:-1].encode() + b', "settings": {"x": ' + b"[" * 40 + b"]" * 40 + b"}}",
            "json",
            f"nested deeper than {MAX_PANEL_DEPTH} levels",
        ),
        "surrogate-prompt": (
            JSON.replace("Zürich", "Z\\ud800rich").encode(),
            "json",
            "prompts[0] has a lone surrogate (U+D800) at character 28",
        ),
        "surrogate-key": (
            JSON.replace('"chat_gpt"', '"chat\\udfffgpt"').encode(),
            "json",
            "engines has a lone surrogate (U+DFFF)",
        ),
        "surrogate-brand": (
            JSON.replace('"HubSpot"', '{"name": "Hub\\udc80Spot"}').encode(),
            "json",
            "brand.name has a lone surrogate (U+DC80)",
        ),
    }
    out = {}
    for kind, (data, suffix, said) in files.items():
        path = folder / f"{kind}.{suffix}"
        path.write_bytes(data)
        out[kind] = (path, said)
    return out


@pytest.fixture
def files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    return bad_files(tmp_path)


NAMES = (
    "latin-1",
    "utf-16",
    "utf-16-le",
    "utf-32",
    "deep-json",
    "deep-toml",
    "deep-settings",
    "surrogate-prompt",
    "surrogate-key",
    "surrogate-brand",
)


@pytest.mark.parametrize("kind", NAMES)
def test_a_bad_panel_file_is_a_panel_file_error_naming_file_and_problem(
    files: dict[str, tuple[Path, str]], kind: str
) -> None:
    path, said = files[kind]
    with pytest.raises(PanelFileError) as caught:
        Panel.from_file(path)
    assert str(caught.value).startswith(str(path))
    assert said in str(caught.value)
    if kind.startswith(("latin", "utf")):
        assert "panel files must be UTF-8 (with or without a byte-order mark)" in str(caught.value)


@pytest.mark.parametrize("kind", NAMES)
def test_check_exits_3_on_a_bad_panel_file_without_a_traceback(
    files: dict[str, tuple[Path, str]], kind: str
) -> None:
    path, said = files[kind]
    done = check(path)
    assert done.returncode == EXIT_PANEL, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {path}")
    assert said in done.stderr


@pytest.mark.parametrize("suffix", ["toml", "json"])
def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"bom.{suffix}"
    path.write_bytes(codecs.BOM_UTF8 + (TOML if suffix == "toml" else JSON).encode("utf-8"))
    panel = Panel.from_file(path)
    assert panel.prompts == ("Quel CRM pour une agence à Zürich ?",)
    assert check(path).returncode == EXIT_OK
    with VisibilityStore(tmp_path / "v.db") as store:  # and it can be stored
        assert store.create_run(panel, run_id="bom") == "bom"


def test_decode_panel_says_which_byte_where() -> None:
    assert decode_panel(codecs.BOM_UTF8 + b"a = 1") == "a = 1"
    with pytest.raises(ValueError, match=r"byte 0xE9 at line 2, column 4 is not UTF-8"):
        decode_panel(b"x\nabc\xe9")


def test_data_problem_walks_without_recursion() -> None:
    deep: list[object] = []
    node = deep
    for _ in range(50_000):  # far past Python's recursion limit
        child: list[object] = []
        node.append(child)
        node = child
    assert data_problem({"a": deep}) == (
        "a" + "[0]" * (MAX_PANEL_DEPTH - 1),
        "a" + "[0]" * (MAX_PANEL_DEPTH - 1) + f" is nested deeper than {MAX_PANEL_DEPTH} "
        "levels of tables and lists.",
    )
    assert data_problem({"name": "ok", "prompts": ["a", "b"]}) is None


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to read"),
        (b'{"brands": [{"name": "Hub\\ud800Spot"}]}', "lone surrogate"),
        ('{"brands": []}'.encode("utf-16"), "the file must be UTF-8"),
    ],
)
def test_the_emulator_refuses_a_bad_brand_catalogue_cleanly(
    tmp_path: Path, content: bytes, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "brands.json"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as done:
        emulator_main(["--port", "0", "--brand-catalogue", str(path)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"--brand-catalogue {path}: " in err
    assert said in err
