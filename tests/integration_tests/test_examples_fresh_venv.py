"""A newcomer's path: a fresh venv, ``pip install "<repo>[examples]"``, every example offline.

The install is not editable, so what the examples need must come from the ``examples`` extra
(vcrpy to replay the cassettes, langchain for the agent, numpy for the RAG vector store), not
from the test environment. Each example runs as ``python examples/NAME.py`` with the fresh
venv's interpreter, without DataForSEO credentials (the variables ``test_examples.py`` unsets),
so it replays its cassette or starts the emulator in-process. pip reaches the package index
from its own process (pytest-socket only blocks sockets inside pytest's process).

Under ``CI=true`` a venv that cannot be created or installed fails the test; elsewhere (an
offline laptop) it is skipped with pip's own message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_examples import OFFLINE_UNSET

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))

# What an example needs on its command line to run offline and end (as its own tests run it).
ARGS: dict[str, tuple[str, ...]] = {
    "postback_receiver": ("--demo",),  # without it, it serves until interrupted
    "visibility": ("--out", "{tmp}"),
    "surfaces": ("--out", "{tmp}"),
}

INSTALL_TIMEOUT = 900.0
EXAMPLE_TIMEOUT = 300.0


def clean_env() -> dict[str, str]:
    """The environment without credentials and without anything pointing at this checkout."""
    dropped = {*OFFLINE_UNSET, "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"}
    return {k: v for k, v in os.environ.items() if k not in dropped}


def unavailable(what: str, done: subprocess.CompletedProcess[str] | None, exc: str = "") -> None:
    """Fail under ``CI=true``, skip elsewhere, with the command's output."""
    detail = exc or (done.stdout[-3000:] + done.stderr[-3000:] if done is not None else "")
    msg = f"{what}:\n{detail}"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(f"{msg}\n(CI=true makes this a failure)")


def run(args: list[str], timeout: float, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command with the clean environment; its completed process."""
    return subprocess.run(  # noqa: S603
        args,
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with ``pip install "<repo>[examples]"`` (not editable); its python."""
    root = tmp_path_factory.mktemp("fresh-venv")
    venv = root / "venv"
    try:
        made = run([sys.executable, "-m", "venv", str(venv)], 300.0, root)
    except (OSError, subprocess.TimeoutExpired) as exc:
        unavailable("python -m venv failed", None, repr(exc))
    if made.returncode != 0:
        unavailable("python -m venv failed", made)
    python = venv / "bin" / "python"
    try:
        installed = run(
            [str(python), "-m", "pip", "install", "--quiet", f"{REPO}[examples]"],
            INSTALL_TIMEOUT,
            root,
        )
    except subprocess.TimeoutExpired as exc:
        unavailable(f'pip install "{REPO}[examples]" timed out', None, repr(exc))
    if installed.returncode != 0:
        unavailable(f'pip install "{REPO}[examples]" failed', installed)
    where = run(
        [str(python), "-c", "import langchain_dataforseo as m; print(m.__file__)"], 120.0, root
    )
    assert where.returncode == 0, where.stderr
    # The installed copy, not this checkout's src/ (the install is not editable).
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    return python


def test_every_example_is_listed() -> None:
    assert {"quickstart", "chain", "agent", "rag", "mentions_rag", "visibility"} <= set(NAMES)
    assert set(ARGS) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_example_runs_offline_in_a_fresh_venv_with_the_examples_extra(
    name: str, venv_python: Path, tmp_path: Path
) -> None:
    args = [a.format(tmp=tmp_path / "out") for a in ARGS.get(name, ())]
    done = run([str(venv_python), str(EXAMPLES / f"{name}.py"), *args], EXAMPLE_TIMEOUT, tmp_path)
    assert done.returncode == 0, (
        f"examples/{name}.py exited {done.returncode} in a fresh venv with "
        f'pip install ".[examples]"\n--- stdout (end) ---\n{done.stdout[-2000:]}'
        f"\n--- stderr ---\n{done.stderr[-6000:]}"
    )
    assert "Traceback" not in done.stderr
    # Offline, never the live API: the cassette replayed, or the emulator in-process.
    first = done.stdout.lstrip().splitlines()[0] if done.stdout.strip() else ""
    assert first.startswith("[offline]") or name == "postback_receiver", first
