"""An AI-visibility panel measured offline: the emulator's brand truth, metrics, a report.

Loads ``examples/panel.toml``, answers every task with the local emulator (configured with
a brand catalogue, so the true rates are known), keeps everything in a SQLite store, prints
the metrics per engine beside the truth, and writes ``report.html`` / ``report.md``.
Nothing leaves the machine and nothing is charged. Collecting the answers here is a
stand-in loop over the Live endpoint; ``run_panel`` (Standard by default, resumable, with a
cost cap) will do it for real panels.

    python examples/visibility_offline.py [--out DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import httpx

from langchain_dataforseo.emulator import (
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
    Emulator,
    EmulatorConfig,
    EmulatorTransport,
)
from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics, report

HERE = Path(__file__).resolve().parent
CATALOGUE = BrandCatalogue(
    brands=(
        CatalogueBrand("HubSpot", {"chat_gpt": 0.6, "gemini": 0.4, "perplexity": 0.5}),
        CatalogueBrand("Salesforce", 0.45, aliases=("Salesforce Sales Cloud",)),
        CatalogueBrand("Pipedrive", {"chat_gpt": 0.2, "gemini": 0.3, "perplexity": 0.25}),
        CatalogueBrand("Zoho CRM", 0.15, aliases=("Zoho",)),
    ),
    domains=(
        CatalogueDomain("hubspot.com", 0.3),
        CatalogueDomain("salesforce.com", 0.25),
        CatalogueDomain("g2.com", 0.5),
        CatalogueDomain("capterra.com", 0.35),
    ),
    seed=2026,
)


def collect(store: VisibilityStore, panel: Panel, run: str) -> None:
    """Answer every unsent task of the run with the in-process emulator (Live endpoint)."""
    client = httpx.Client(
        transport=EmulatorTransport(Emulator(EmulatorConfig(brand_catalogue=CATALOGUE))),
        base_url="http://emulator.local",
        auth=("emulator-login", "emulator-password"),
    )
    for task in store.unsent(run):
        body = {"user_prompt": task.prompt, "model_name": task.model, "tag": task.tag}
        body.update(panel.task_settings(task.engine))
        reply = client.post(f"/v3/ai_optimization/{task.engine}/llm_responses/live", json=[body])
        store.record_result(run, task.tag, reply.json()["tasks"][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for db and report")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="visibility-"))
    out.mkdir(parents=True, exist_ok=True)
    panel = Panel.from_file(HERE / "panel.toml")
    owners = {b.name: b.domains for b in panel.brands}
    with VisibilityStore(out / "runs.db") as store:
        run = store.create_run(panel, run_id="offline-demo", method="live")
        collect(store, panel, run)
        for row in metrics(store, run):
            engine = row.key["engine"]
            truth = CATALOGUE.truth(engine, owners)
            print(f"{engine}: {row.answers} answers, {row.failed} failed, {row.pending} pending")
            for name, m in row.brands.items():
                rate = m.mention_rate
                print(
                    f"  {name:<11} mention {rate.value:6.1%} [{rate.low:.1%}, {rate.high:.1%}]"
                    f"  truth {truth['mention_rate'][name]:.1%}"
                )
        html_path, md_path = report(store, run, out / "report.html")
    print(f"Report: {html_path} and {md_path}")


if __name__ == "__main__":
    main()
