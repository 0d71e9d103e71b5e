"""An AI-visibility panel, end to end: run it (resumable, capped), measure it, report it.

Loads ``examples/panel.toml`` and runs it with ``run_panel`` (Standard tasks for ChatGPT
and Gemini, Live for Perplexity) into a SQLite store, then prints the metrics per engine
and writes ``report.html`` / ``report.md``.

By default everything runs offline, for free: the package's emulator is started in-process
with a brand catalogue, so the answers are synthetic but the true rates are known, and
they are printed beside the measured ones. ``--real`` calls the DataForSEO API with the
credentials in ``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD`` (it costs money: the worst
case is printed first, and the run is refused above ``--max-cost``).

    python examples/visibility.py [--out DIR] [--real --max-cost USD]
"""

from __future__ import annotations

import sys
from pathlib import Path

from _panel_demo import emulated, parse_demo_args

from langchain_dataforseo.emulator import (
    BrandCatalogue,
    CatalogueBrand,
    CatalogueDomain,
)
from langchain_dataforseo.visibility import (
    Panel,
    Progress,
    RunEstimate,
    VisibilityStore,
    metrics,
    report,
    run_panel,
)

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


def main() -> None:
    args = parse_demo_args(__doc__.splitlines()[0], "panel-demo", "visibility-")
    out, cap = args.out, args.cap
    panel = Panel.from_file(HERE / "panel.toml")
    options = {} if args.real else emulated(CATALOGUE)

    def estimate(found: RunEstimate) -> None:
        print(f"estimate: {found.describe(cap)}", file=sys.stderr)

    def progress(now: Progress) -> None:
        print(now.line(), file=sys.stderr)

    with VisibilityStore(out / "runs.db") as store:
        run = run_panel(
            panel,
            store,
            run_id=args.run_id,
            max_cost=cap,
            on_estimate=estimate,
            on_progress=progress,
            collect_round=2.0,
            **options,
        )
        owners = {b.name: b.domains for b in panel.brands}
        for row in metrics(store, run):
            engine = row.key["engine"]
            print(f"{engine}: {row.answers} answers, {row.failed} failed, {row.pending} pending")
            truth = None if args.real else CATALOGUE.truth(engine, owners)
            for name, m in row.brands.items():
                rate = m.mention_rate
                if rate.value is None or rate.low is None or rate.high is None:
                    continue
                known = "" if truth is None else f"  truth {truth['mention_rate'][name]:.1%}"
                print(
                    f"  {name:<11} mention {rate.value:6.1%} [{rate.low:.1%}, {rate.high:.1%}]"
                    f"{known}"
                )
        print(f"cost: ${store.run(run).cost:.4f}")
        html_path, md_path = report(store, run, out / "report.html")
    print(f"Report: {html_path} and {md_path}")


if __name__ == "__main__":
    main()
