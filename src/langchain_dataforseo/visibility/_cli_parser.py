"""The command line's argument parser: one sub-parser per command, each with ``--help``.

The commands themselves, and the exit codes, are in :mod:`._cli`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from langchain_dataforseo.visibility._cli_checks import (
    count,
    half_width,
    non_negative,
    positive,
    run_id_arg,
)
from langchain_dataforseo.visibility._cli_judge import add_judge_parser
from langchain_dataforseo.visibility._cli_plan import power_arg, proportion
from langchain_dataforseo.visibility._dialect import store_argument
from langchain_dataforseo.visibility._metrics import GROUPS
from langchain_dataforseo.visibility._plan import METHODS
from langchain_dataforseo.visibility._surfaces import SURFACES

SURFACE_CHOICES: Final = (*SURFACES, "both")
"""What ``--surface`` takes: one surface, or both."""

_PROG: Final = "python -m langchain_dataforseo.visibility"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-parser per command (each has ``--help``)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="AI-visibility panels: run a panel into a store; check panel files; "
        "read runs from a store.",
        epilog="Exit codes: 0 ok, 2 usage, 3 bad panel file, 4 missing database, "
        "5 unknown run id, 9 unusable database (not a database, damaged, read-only, newer "
        "schema), 10 an output cannot be written, 1 other input error (credentials "
        "missing included); run: 6 tasks still pending or the disk full (run again with the "
        "same --run-id), 7 refused by the budget (run --estimate: would be refused), 8 API error, "
        "130 interrupted, 141 output closed (| head).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate a panel file (TOML or JSON)")
    check.add_argument("panel", type=Path, metavar="PANEL", help="the panel file")

    def with_db(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--db",
            type=store_argument,
            required=True,
            metavar="DB",
            help="the store: a file, sqlite:///FILE or postgresql://USER@HOST:PORT/DB",
        )

    run = commands.add_parser(
        "run",
        help="collect a panel's answers into the store (resumable, with a cost cap)",
        description="Collect a panel's answers: one task per prompt, engine and sample "
        "(Standard by default, Live for Perplexity). Credentials come from DATAFORSEO_LOGIN "
        "and DATAFORSEO_PASSWORD (DATAFORSEO_BASE_URL for the sandbox or the emulator). The "
        "worst-case cost is printed before anything is posted, and the run is refused when it "
        "passes --max-cost. Killed or interrupted? Run the same command with the same "
        "--run-id: nothing is posted twice, posted tasks are collected.",
        epilog="Exit codes: 0 every task finished (a complete run: at once, no API call), "
        "6 some pending or in doubt, or the disk "
        "full (run again with the same --run-id), 7 refused by the budget (nothing posted; "
        "with --estimate: would be refused), "
        "8 API error, 3 bad panel file, 9 unusable database, 1 other input error (missing "
        "credentials, a run id of another panel), 2 bad usage, 130 interrupted (resumable). "
        "A run that fails before any task is sent is removed from the store. Schedulers: "
        "docs/scheduling.md.",
    )
    run.add_argument("panel", type=Path, metavar="PANEL", help="the panel file (TOML or JSON)")
    with_db(run)
    run.add_argument(
        "--run-id",
        type=run_id_arg,
        metavar="ID",
        help="the run id (default: a new one); an existing id resumes that run",
    )
    run.add_argument(
        "--method",
        choices=METHODS,
        default="standard",
        help="standard (default; Perplexity always runs live) or live",
    )
    run.add_argument(
        "--max-cost",
        type=non_negative,
        metavar="USD",
        help="cap for the whole run: refused before posting when the worst case "
        "passes it, and never passed by started tasks",
    )
    run.add_argument(
        "--max-cost-per-call",
        type=positive,
        metavar="USD",
        help="reserve this per task instead of the worst-case estimate",
    )
    run.add_argument(
        "--max-wait",
        type=non_negative,
        default=900.0,
        metavar="SECONDS",
        help="keep collecting Standard tasks this long after the last post "
        "(default 900); the rest stays pending, to collect with a re-run",
    )
    run.add_argument(
        "--poll-interval",
        type=positive,
        default=3.0,
        metavar="SECONDS",
        help="seconds between polls (default 3: tasks_ready allows 20 a minute)",
    )
    run.add_argument(
        "--recover-wait",
        type=non_negative,
        default=60.0,
        metavar="SECONDS",
        help="look tasks in doubt up by tag this long (default 60)",
    )
    run.add_argument(
        "--repost-in-doubt",
        action="store_true",
        help="post again tasks in doubt that were not found (may pay twice)",
    )
    run.add_argument(
        "--concurrency",
        type=int,
        default=30,
        metavar="N",
        help="posts or live calls in flight per engine (default 30)",
    )
    run.add_argument(
        "--tasks-per-post",
        type=int,
        default=100,
        metavar="N",
        help="Standard tasks in one task_post request, 1 to 100 (default 100)",
    )
    run.add_argument(
        "--target-half-width",
        type=half_width,
        default=None,
        metavar="W",
        help="sample in waves until each engine's prompt-level mention-rate interval is at "
        "most +/-W (for example 0.05), within --max-cost",
    )
    run.add_argument(
        "--max-samples",
        type=count,
        default=None,
        metavar="N",
        help="with --target-half-width, the most samples per prompt and engine (default 30)",
    )
    run.add_argument(
        "--postback",
        action="store_true",
        help="post only, with the postback URL in $DATAFORSEO_POSTBACK_URL (a receiver such "
        "as examples/postback_receiver.py --db writes the results); a later run without "
        "--postback collects what no postback delivered",
    )
    run.add_argument(
        "--estimate",
        action="store_true",
        help="print the worst-case and expected cost and exit; nothing is posted (exit 7 "
        "when --max-cost would refuse the run, saying by how much)",
    )
    run.add_argument(
        "--surface",
        choices=SURFACE_CHOICES,
        help="ask every engine on this surface instead of the panel's 'surfaces': api (LLM "
        "Responses: the engines' APIs), app (LLM Scraper: the ChatGPT and Gemini apps; "
        "chat_gpt and gemini only) or both",
    )
    run.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    plan = commands.add_parser(
        "plan",
        help="answers, samples and cost needed to see a move from --from to --to",
        description="How many answers per engine and period a two-sided two-proportion "
        "z-test (pooled, normal approximation, equal n per period) needs to see a rate "
        "move from --from to --to, the samples per prompt and engine that makes for the "
        "panel, and their cost: expected (the store's recorded costs with --db, else "
        "documented average prices) and the worst case --max-cost must allow. Nothing is "
        "posted.",
    )
    plan.add_argument("panel", type=Path, metavar="PANEL", help="the panel file (TOML or JSON)")
    plan.add_argument(
        "--from", dest="p_from", type=proportion, required=True, metavar="P", help="rate now"
    )
    plan.add_argument(
        "--to", dest="p_to", type=proportion, required=True, metavar="Q", help="rate to see"
    )
    plan.add_argument("--power", type=power_arg, default=0.8, help="in [0.5, 1) (default 0.8)")
    plan.add_argument(
        "--alpha", type=proportion, default=0.05, help="two-sided level (default 0.05)"
    )
    plan.add_argument("--method", choices=METHODS, default="standard", help="standard or live")
    plan.add_argument(
        "--db",
        type=store_argument,
        metavar="DB",
        help="a store whose recorded costs give the expected cost",
    )

    status = commands.add_parser("status", help="list the runs, or one run's tasks by state")
    status.add_argument(
        "run", nargs="?", type=run_id_arg, metavar="RUN", help="a run id (default: all runs)"
    )
    with_db(status)

    show = commands.add_parser(
        "metrics",
        help="a run's metrics with both 95%% intervals ([ ] answer level; { } prompt level)",
    )
    show.add_argument("run", type=run_id_arg, metavar="RUN")
    with_db(show)
    show.add_argument(
        "--by",
        default="engine",
        help=f"comma-separated slice keys among {', '.join(GROUPS)}; '' for one row "
        "(default: engine)",
    )
    show.add_argument(
        "--surface",
        choices=SURFACES,
        help="only the rows of this surface (api or app); default: both, side by side",
    )
    show.add_argument("--format", choices=("table", "json", "csv"), default="table")
    show.add_argument("--output", type=Path, metavar="FILE", help="write there, not stdout")

    compare = commands.add_parser("compare", help="per engine, what changed from RUN_A to RUN_B")
    compare.add_argument("run_a", type=run_id_arg, metavar="RUN_A")
    compare.add_argument("run_b", type=run_id_arg, metavar="RUN_B")
    with_db(compare)
    compare.add_argument(
        "--rule",
        choices=("z", "overlap"),
        default="z",
        help="z: two-proportion z-test at 0.05 (default); overlap: non-overlapping "
        "95%% Wilson intervals (stricter)",
    )
    compare.add_argument(
        "--surface",
        choices=SURFACES,
        help="only this surface (api or app); default: each surface apart",
    )
    compare.add_argument("--format", choices=("table", "json"), default="table")

    write = commands.add_parser("report", help="write the HTML report and Markdown summary")
    write.add_argument("run", type=run_id_arg, metavar="RUN")
    with_db(write)
    write.add_argument("--html", type=Path, required=True, metavar="FILE", help="HTML output")
    write.add_argument("--md", type=Path, metavar="FILE", help="Markdown (default: HTML's .md)")
    write.add_argument("--metrics-csv", type=Path, metavar="FILE", help="also the metrics, CSV")
    write.add_argument("--answers", type=Path, metavar="FILE", help="also the answers (.csv/.json)")

    export = commands.add_parser(
        "export",
        help="write a run's answers.parquet and metrics.parquet (the parquet extra)",
        description="Write RUN's answers (one row per task, pending and failed included) "
        "and metrics as Parquet files in FOLDER, for DuckDB, BigQuery or pandas; columns "
        "in docs/export_and_dashboards.md. Needs pyarrow: pip install "
        "'langchain-dataforseo[parquet]'.",
    )
    export.add_argument("run", type=run_id_arg, metavar="RUN")
    with_db(export)
    export.add_argument(
        "--parquet",
        type=Path,
        required=True,
        metavar="FOLDER",
        help="the folder (created when missing; files of the same names are replaced)",
    )
    export.add_argument(
        "--by",
        default="engine",
        help=f"metrics.parquet's slice keys among {', '.join(GROUPS)} (default: engine)",
    )

    delete = commands.add_parser(
        "delete",
        help="delete a run and its answers (refused for a run with tasks sent, unless --force)",
        description="Delete a run, its tasks, answers and facts. A run none of whose tasks "
        "was sent (one that failed its checks) is deleted as is; a run with tasks sent, in "
        "doubt or paid is refused unless --force: deleting it forgets what was paid, and a "
        "re-run with its id would post again.",
    )
    delete.add_argument("run", type=run_id_arg, metavar="RUN")
    with_db(delete)
    delete.add_argument("--force", action="store_true", help="delete even with tasks sent")
    add_judge_parser(commands)
    return parser
