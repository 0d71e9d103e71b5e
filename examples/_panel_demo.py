"""What the panel examples share: their command line and the in-process emulator's options.

``examples/visibility.py`` and ``examples/surfaces.py`` run a panel offline on the
package's emulator (with a brand catalogue of their own) or, with ``--real``, on the
DataForSEO API under a ``--max-cost`` cap.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from langchain_dataforseo.emulator import (
    AsyncEmulatorTransport,
    BrandCatalogue,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)

OFFLINE_CAP_USD = 50.0
"""The cap of an offline run (the emulator's money is not real, the cap still holds)."""


@dataclass(frozen=True)
class DemoRun:
    """What the command line asked for.

    Attributes:
        out: The folder for the store and the report.
        run_id: The run id (run again with it to resume).
        real: Whether to call the DataForSEO API.
        cap: The run's ``max_cost``.
    """

    out: Path
    run_id: str
    real: bool
    cap: float


def parse_demo_args(description: str, run_id: str, prefix: str) -> DemoRun:
    """Read ``--out``, ``--run-id``, ``--real`` and ``--max-cost`` (needed with ``--real``).

    Args:
        description: The example's one-line description.
        run_id: The default run id.
        prefix: The prefix of the temporary folder used without ``--out``.

    Returns:
        The run asked for; its folder exists.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=None, help="folder for the db and report")
    parser.add_argument("--run-id", default=run_id, help="run id (re-run to resume)")
    parser.add_argument("--real", action="store_true", help="call the DataForSEO API (paid)")
    parser.add_argument("--max-cost", type=float, default=None, metavar="USD")
    args = parser.parse_args()
    if args.real and args.max_cost is None:
        parser.error("--real needs --max-cost USD (the most the run may cost)")
    out = args.out or Path(tempfile.mkdtemp(prefix=prefix))
    out.mkdir(parents=True, exist_ok=True)
    cap = args.max_cost if args.real else OFFLINE_CAP_USD
    print("[real] DataForSEO API" if args.real else "[offline] in-process emulator")
    return DemoRun(out, args.run_id, args.real, cap)


def emulated(catalogue: BrandCatalogue) -> dict[str, Any]:
    """Model options that send every call to an in-process emulator (nothing leaves).

    Args:
        catalogue: The brands and domains the emulator's answers name and cite.

    Returns:
        Keyword arguments for ``run_panel``.
    """
    emulator = Emulator(EmulatorConfig(brand_catalogue=catalogue))
    return {
        "login": "emulator-login",
        "password": "emulator-password",
        "base_url": "http://127.0.0.1",
        "http_client": httpx.Client(transport=EmulatorTransport(emulator)),
        "http_async_client": httpx.AsyncClient(transport=AsyncEmulatorTransport(emulator)),
        "poll_interval": 0.2,
    }
