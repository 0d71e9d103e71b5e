"""The example each guide starts with runs as written, against the emulator on loopback.

The guides (``docs/*.md``) each open with a runnable example that reads its credentials and
``DATAFORSEO_BASE_URL`` from the environment, as ``docs/README.md`` says to run them
offline. Here the environment points at an :class:`EmulatorServer` on 127.0.0.1, the
working directory is a temporary folder holding a link to ``examples/``, and the block is
executed as a script. The README's chat-model and panel examples are run the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.emulator._brands import default_catalogue

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

# The guides written one per product; each starts with a runnable example.
GUIDES = (
    "chat_model",
    "standard",
    "costs_and_budgets",
    "agents_and_tools",
    "visibility",
    "scraper",
    "mentions",
    "emulator",
    "errors",
    "security",
)

BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(path: Path) -> list[str]:
    """The python code blocks of a Markdown file, in order."""
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    """An emulator on loopback with the server's default brand catalogue; its base URL."""
    with EmulatorServer(
        Emulator(EmulatorConfig(brand_catalogue=default_catalogue())), port=0
    ) as server:
        yield server.base_url


@pytest.fixture
def script_env(api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """As docs/README.md sets it up: credentials and base URL of the emulator, a fresh cwd."""
    monkeypatch.setenv("DATAFORSEO_BASE_URL", api)
    monkeypatch.setenv("DATAFORSEO_LOGIN", "emulator-login")
    monkeypatch.setenv("DATAFORSEO_PASSWORD", "emulator-password")
    monkeypatch.delenv("DATAFORSEO_VCR_RECORD_MODE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    return tmp_path


def run_block(code: str, name: str) -> dict[str, object]:
    """Execute a code block as a script; its globals."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(code, name, "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def test_every_guide_exists_is_indexed_and_starts_with_a_python_example() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES:
        text = (DOCS / f"{guide}.md").read_text(encoding="utf-8")
        assert f"]({guide}.md)" in index, guide
        first_block = text.find("```")
        assert text.startswith("# "), guide
        assert first_block != -1, guide
        assert text[first_block:].startswith("```python\n"), guide
        # The example comes first: no section heading before it.
        assert "\n## " not in text[:first_block], guide


def test_every_page_of_docs_is_in_the_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    assert sorted(p for p in pages if f"]({p})" not in index) == []


def test_the_readme_stays_the_first_hour() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 400
    assert "make quickstart" in readme
    assert "make test" in readme
    assert "make panel" in readme
    assert 'pip install ".[examples]"' in readme
    assert "](docs/README.md)" in readme


@pytest.mark.parametrize("guide", GUIDES)
@pytest.mark.usefixtures("script_env")
def test_the_guide_s_first_example_runs_against_the_emulator(
    guide: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_block(python_blocks(DOCS / f"{guide}.md")[0], f"docs/{guide}.md")
    assert capsys.readouterr().out.strip(), "the example prints what it shows"


@pytest.mark.usefixtures("script_env")
def test_the_readme_s_chat_model_and_panel_examples_run_against_the_emulator(
    script_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat, bulk, panel = python_blocks(REPO / "README.md")[:3]
    namespace = run_block(chat, "README.md (chat model)")
    assert namespace["msg"].response_metadata["cost"] > 0  # type: ignore[attr-defined]
    exec(compile(bulk, "README.md (bulk)", "exec"), namespace)  # noqa: S102 - continues the first
    assert len(namespace["answers"]) == 2  # type: ignore[arg-type]
    assert (script_env / "run.jsonl").exists()
    run_block(panel, "README.md (panel)")
    out = capsys.readouterr().out
    for engine in ("chat_gpt", "gemini", "perplexity"):
        assert re.search(rf"^{engine} 15 \d+%", out, re.MULTILINE), out
    assert (script_env / "report.html").exists()
    assert (script_env / "report.md").exists()


LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings (code blocks left out)."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize(
    "page", [REPO / "README.md", *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name
)
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        assert path.exists(), f"{page.name}: {target}"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), f"{page.name}: {target}"
