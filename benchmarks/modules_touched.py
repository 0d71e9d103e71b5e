"""How many of the package's modules a warm call runs code in (issue 20's "house" figure).

A profiler hook (``sys.setprofile`` and ``threading.setprofile``, set before the warm-up
so the reused worker threads carry it too) records the source file of every function the
package calls, only while the measured call runs. Two paths, each warmed up once first:

- one Live ``invoke`` of ``ChatDataForSEO``;
- a small Live panel run (2 prompts x 1 engine x 1 sample) with its ``metrics``.

The emulator serves both on 127.0.0.1 in this process; its own files are not counted.

    python benchmarks/modules_touched.py [--list]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import langchain_dataforseo
from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.emulator import Emulator, EmulatorConfig, EmulatorServer
from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics, run_panel

PACKAGE = Path(langchain_dataforseo.__file__).parent
EMULATOR = PACKAGE / "emulator"
CREDENTIALS = {"login": "emulator-login", "password": "emulator-password"}


class Recorder:
    """The package's source files whose functions are called while ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.files: set[str] = set()

    def hook(self, frame: FrameType, event: str, arg: Any) -> None:
        """Profile hook: note the file of each Python function called."""
        if self.on and event == "call":
            name = frame.f_code.co_filename
            if name.startswith(str(PACKAGE)) and not name.startswith(str(EMULATOR)):
                self.files.add(str(Path(name).relative_to(PACKAGE)))

    def measure(self, call: Callable[[], object]) -> set[str]:
        """The files one call runs code in."""
        self.files = set()
        self.on = True
        try:
            call()
        finally:
            self.on = False
        return set(self.files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the modules too")
    args = parser.parse_args()
    recorder = Recorder()
    sys.setprofile(recorder.hook)
    threading.setprofile(recorder.hook)
    with (
        EmulatorServer(Emulator(EmulatorConfig()), port=0) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        model = ChatDataForSEO(
            engine="chat_gpt", model="gpt-4.1-mini", base_url=server.base_url, **CREDENTIALS
        )
        model.invoke("Which CRM tools do agencies use?")  # warm: catalogue, pools, imports
        invoke = recorder.measure(lambda: model.invoke("Which CRM is the easiest to start?"))

        panel = Panel(
            "bench",
            ["Which CRM for a small agency?", "Best CRM for startups?"],
            {"name": "HubSpot", "domains": ["hubspot.com"]},
            ["Salesforce", "Pipedrive"],
            {"chat_gpt": "gpt-4.1-mini"},
            samples=1,
        )
        with VisibilityStore(Path(folder) / "v.db") as store:

            def panel_run(run_id: str) -> None:
                run = run_panel(
                    panel,
                    store,
                    run_id=run_id,
                    method="live",
                    max_cost=1.0,
                    base_url=server.base_url,
                    **CREDENTIALS,
                )
                metrics(store, run)

            panel_run("warm")
            panel = recorder.measure(lambda: panel_run("measured"))
    sys.setprofile(None)
    threading.setprofile(None)  # type: ignore[arg-type]
    for label, files in (("warm Live invoke", invoke), ("small Live panel run + metrics", panel)):
        print(f"{label}: {len(files)} package modules run code")
        if args.list:
            for name in sorted(files):
                print(f"    {name}")


if __name__ == "__main__":
    main()
