from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import httpx

import langchain_dataforseo.emulator as emulator_pkg

from .conftest import path, task0

EMULATOR_DIR = Path(emulator_pkg.__file__).parent


def test_public_api() -> None:
    assert set(emulator_pkg.__all__) >= {
        "Emulator",
        "EmulatorConfig",
        "EmulatorServer",
        "EmulatorTransport",
        "AsyncEmulatorTransport",
    }


def test_emulator_is_isolated_from_the_client() -> None:
    """No langchain imports, nothing outside emulator/, httpx only in _server."""
    for file in EMULATOR_DIR.glob("*.py"):
        tree = ast.parse(file.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    assert node.level == 1, f"{file.name} imports outside emulator/"
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("langchain"), f"{file.name}: {name}"
                if name.split(".")[0] == "httpx":
                    assert file.name == "_server.py", file.name


def test_cli_runs_and_never_prints_credentials(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(EMULATOR_DIR.parent.parent),
        "DATAFORSEO_LOGIN": "env-login",
        "DATAFORSEO_PASSWORD": "env-secret-password",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "langchain_dataforseo.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--live-latency",
            "0.01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        base_url = line.split()[-1]
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base_url, auth=("env-login", "env-secret-password")) as c:
            body = c.post(
                path("perplexity", "live"), json=[{"user_prompt": "x", "model_name": "sonar"}]
            ).json()
            assert task0(body)["status_code"] == 20000
            assert (
                c.get(
                    path("perplexity", "models"), auth=("emulator-login", "emulator-password")
                ).status_code
                == 401
            )
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert "env-secret-password" not in line + out + err
    assert "env-login" not in line + out + err


def test_cli_flags_override_env() -> None:
    from langchain_dataforseo.emulator.__main__ import build_parser

    args = build_parser().parse_args(
        [
            "--port",
            "1234",
            "--login",
            "L",
            "--password",
            "P",
            "--fault-rate-limit",
            "0.5",
            "--seed",
            "3",
        ]
    )
    assert (args.port, args.login, args.password, args.fault_rate_limit, args.seed) == (
        1234,
        "L",
        "P",
        0.5,
        3,
    )


def test_cli_help_gives_every_option_a_description_and_a_unit() -> None:
    from langchain_dataforseo.emulator.__main__ import build_parser

    parser = build_parser()
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if action.dest == "help":
            continue
        assert action.help, f"{action.option_strings} has no help"
    for flag in ("--live-latency", "--task-latency", "--callback-timeout"):
        assert f"{flag} SECONDS" in text
    for flag in (
        "--fault-task-error-50000",
        "--fault-task-error-50301",
        "--fault-rate-limit",
        "--fault-http-500",
        "--fault-drop-connection",
        "--fault-malformed-json",
    ):
        assert f"{flag} FRACTION fraction 0 to 1 of" in text
    assert "--seed INT seed of the fault RNG" in text
    assert "charged" in text
