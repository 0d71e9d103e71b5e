"""One panel on both surfaces: what the engines' APIs say against what their apps show.

Loads ``examples/panel_surfaces.toml`` (ChatGPT and Gemini, ``surfaces = ["api", "app"]``)
and runs it with ``run_panel``: API-surface tasks through the LLM Responses API, app-surface
tasks through the LLM Scraper (what a person sees in the ChatGPT and Gemini apps), both
Standard and resumable, in one SQLite store. Then prints, per engine and brand, the mention
rate and citation rate on each surface side by side, and writes ``report.html`` /
``report.md`` (with an "API vs app" table per engine).

Offline by default, for free: the package's emulator runs in-process with a brand catalogue
whose app-surface probabilities differ from its API-surface ones, so the true rates of each
surface are known and printed beside the measured ones. ``--real`` calls the DataForSEO API
with ``DATAFORSEO_LOGIN`` / ``DATAFORSEO_PASSWORD`` (it costs money: the worst case is
printed first, and the run is refused above ``--max-cost``).

    python examples/surfaces.py [--out DIR] [--real --max-cost USD]
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
    RunEstimate,
    VisibilityRow,
    VisibilityStore,
    metrics,
    report,
    run_panel,
)

HERE = Path(__file__).resolve().parent
CATALOGUE = BrandCatalogue(
    brands=(
        CatalogueBrand(
            "HubSpot",
            {"chat_gpt": 0.6, "gemini": 0.4},
            ("HubSpot CRM",),
            app_mention_probability={"chat_gpt": 0.35, "gemini": 0.7},
        ),
        CatalogueBrand("Salesforce", 0.45, app_mention_probability=0.25),
        CatalogueBrand("Pipedrive", {"chat_gpt": 0.2, "gemini": 0.3}),
    ),
    domains=(
        CatalogueDomain("hubspot.com", 0.3, app_citation_rate=0.15),
        CatalogueDomain("salesforce.com", 0.25, found_rate=0.8),
        CatalogueDomain("g2.com", 0.5, app_citation_rate=0.3, found_rate=0.8),
    ),
    seed=2026,
)


def cell(row: VisibilityRow | None, brand: str, rate: str) -> str:
    """``42.0% [30.1, 54.9]`` for one brand's rate in one row (``-`` when undefined)."""
    if row is None:
        return "-"
    value = getattr(row.brands[brand], rate)
    if value.value is None or value.low is None or value.high is None:
        return "-"
    return f"{value.value:5.1%} [{value.low:.0%}, {value.high:.0%}]"


def main() -> None:
    args = parse_demo_args(__doc__.splitlines()[0], "surfaces-demo", "surfaces-")
    out, cap = args.out, args.cap
    panel = Panel.from_file(HERE / "panel_surfaces.toml")
    options = {} if args.real else emulated(CATALOGUE)

    def estimate(found: RunEstimate) -> None:
        print(f"estimate: {found.describe(cap)}", file=sys.stderr)

    with VisibilityStore(out / "runs.db") as store:
        run = run_panel(
            panel,
            store,
            run_id=args.run_id,
            max_cost=cap,
            on_estimate=estimate,
            collect_round=2.0,
            **options,
        )
        rows = {(row.key["engine"], row.surface): row for row in metrics(store, run)}
        owners = {b.name: b.domains for b in panel.brands}
        for engine in panel.engines:
            api, app = rows.get((engine, "api")), rows.get((engine, "app"))
            counts = [f"{s} {r.answers} answers" for s, r in (("API", api), ("app", app)) if r]
            print(f"{engine}: {', '.join(counts)}")
            print(
                f"  {'brand':<11} {'mention: API':<22}{'mention: app':<22}{'cited: API':<22}"
                "cited: app"
            )
            truth = {s: CATALOGUE.truth(engine, owners, s) for s in ("api", "app")}
            for brand in (b.name for b in panel.brands):
                print(
                    f"  {brand:<11} {cell(api, brand, 'mention_rate'):<22}"
                    f"{cell(app, brand, 'mention_rate'):<22}"
                    f"{cell(api, brand, 'citation_rate'):<22}{cell(app, brand, 'citation_rate')}"
                )
                if not args.real:
                    known = truth["api"]["mention_rate"][brand], truth["app"]["mention_rate"][brand]
                    print(f"  {'':<11} truth {known[0]:.0%} (API) / {known[1]:.0%} (app)")
        print(f"cost: ${store.run(run).cost:.4f}")
        html_path, md_path = report(store, run, out / "report.html")
    print(f"Report: {html_path} and {md_path}")


if __name__ == "__main__":
    main()
