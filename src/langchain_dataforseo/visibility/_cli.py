"""Command line: ``python -m langchain_dataforseo.visibility COMMAND ...``.

Commands: ``run`` (collect a panel's answers into a store: resumable, with a cost cap),
``plan`` (answers, samples and cost a move needs), ``judge`` (brand sentiment judged by a
model: :mod:`._cli_judge`), and over a panel file or an existing store ``check``,
``status``, ``metrics``, ``compare``, ``report``, ``export`` (Parquet), ``delete``. Exit codes:

=====  =====================================================================================
0      success; ``run``: every task finished (measured or failed), including a rerun of
       a run already complete, which makes no API call at all
1      any other input error (missing credentials included: not an outage; ``run``: a
       run id recorded with another panel, or with another ``--method``)
2      bad usage (argparse): an unknown option, a number that is not finite or out of
       range (``--max-cost nan``, ``--poll-interval -1``, ``plan --from 1``), an
       impossible run id, ``plan`` with ``--from`` equal to ``--to``
3      bad panel file (not UTF-8, a syntax error, too deep, an invalid field, a model the
       catalogue refuses)
4      missing database
5      unknown run id
6      ``run``: tasks still pending or in doubt, the disk filled up during the run, or the
       store stayed locked by another process: run
       again with the same ``--run-id`` (nothing is posted twice); ``judge``: stopped by
       ``--max-cost`` (run again to go on; nothing is judged twice)
7      ``run``: refused by the budget (nothing posted); ``run --estimate``: the run would
       be refused by ``--max-cost`` (the message says by how much)
8      ``run``: an API error that stopped the run (credentials refused, funds, the
       API unreachable); what was started is kept: rerun with the same ``--run-id``
9      unusable database: a directory, not a SQLite database, damaged or truncated,
       read-only when the command writes, a schema newer than this code
10     an output file cannot be written (a directory, under a regular file, the disk full,
       no permission), or two outputs (or an output and the store) are one file
130    interrupted
141    the reader of the output went away (``... | head -1``): the rest is dropped
       quietly, no traceback; 141 = 128 + SIGPIPE, as a shell reports any tool a
       closed pipe ended (``set -o pipefail`` sees it)
=====  =====================================================================================

Messages go to stderr and name the file, line and field, or the known runs; a postback
URL's query values are never shown. ``docs/scheduling.md`` says what a scheduler (cron,
Airflow, Dagster) does on each code.

The argument parser (:func:`build_parser`) has one sub-parser per command, each with
``--help``. ``plan`` is a store-less estimate by default (documented average prices); with
``--db`` the store's recorded costs give the expected cost. Nothing is created or posted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from langchain_dataforseo.errors import DataForSEOBudgetError, DataForSEOError, DataForSEOInputError
from langchain_dataforseo.visibility._cli_checks import (
    POSTBACK_ENV,
    _number,
    check_credentials,
    check_outputs,
    count,
    half_width,
    non_negative,
    positive,
    postback_url,
    run_id_arg,
    shown_url,
    writing,
)
from langchain_dataforseo.visibility._cli_judge import add_judge_parser, judge_command
from langchain_dataforseo.visibility._cli_run import (
    ProgressPrinter,
    catalogue_note,
    check_models,
    compare_cell,
    disk_full,
    drop_if_unsent,
    finished_run,
    panel_for,
)
from langchain_dataforseo.visibility._dialect import store_argument
from langchain_dataforseo.visibility._errors import (
    DatabaseFileError,
    DatabaseServerError,
    OutputFileError,
    PanelFileError,
    VisibilityStoreError,
)
from langchain_dataforseo.visibility._export import (
    answers_csv,
    answers_json,
    export_parquet,
    metrics_csv,
    metrics_json,
    write_text,
)
from langchain_dataforseo.visibility._metrics import GROUPS, VisibilityRow, metrics
from langchain_dataforseo.visibility._panel import Panel
from langchain_dataforseo.visibility._plan import METHODS, RunEstimate
from langchain_dataforseo.visibility._report import report
from langchain_dataforseo.visibility._run import estimate_run, run_panel
from langchain_dataforseo.visibility._stats import OVERLAP_RULE, Z_TEST_RULE, Rate, answers_needed
from langchain_dataforseo.visibility._store import VisibilityStore
from langchain_dataforseo.visibility._store_base import RunInfo, store_error
from langchain_dataforseo.visibility._surfaces import SURFACES
from langchain_dataforseo.visibility._trend import compare_runs


def proportion(text: str) -> float:
    """An argument strictly between 0 and 1, finite (``0``, ``1``, ``nan`` refused)."""
    value = _number(text)
    if not 0 < value < 1:
        msg = f"must lie strictly between 0 and 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def power_arg(text: str) -> float:
    """A test's power: at least 0.5 and below 1, finite."""
    value = _number(text)
    if not 0.5 <= value < 1:
        msg = f"must be >= 0.5 and < 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def budget_verdict(estimate: RunEstimate, max_cost: float | None, err: TextIO) -> bool:
    """Say whether ``--max-cost`` would refuse the run, and by how much; ``True`` if so."""
    if max_cost is None:
        return False
    over = estimate.over_by(max_cost)
    if over is None:
        spare = max(max_cost - estimate.total, 0.0)
        err.write(
            f"within --max-cost ${max_cost:.4f}: the worst case ${estimate.total:.4f} leaves "
            f"${spare:.4f}; the run would not be refused.\n"
        )
        return False
    err.write(
        f"refused: the worst case ${estimate.total:.4f} passes --max-cost ${max_cost:.4f} by "
        f"${over:.4f} (expected cost of the tasks to post ${estimate.expected_cost:.4f}): "
        f"the run would post nothing. Raise --max-cost to at least ${estimate.total:.4f}, or "
        "set --max-cost-per-call to what a task really costs.\n"
    )
    return True


def plan_command(args: argparse.Namespace, out: TextIO) -> int:
    """Print the answers a move needs per engine and period, the samples and the cost."""
    panel = Panel.from_file(args.panel)
    needed = answers_needed(args.p_from, args.p_to, power=args.power, alpha=args.alpha)
    prompts = len(panel.prompts)
    samples = math.ceil(needed / prompts)
    one = Panel.from_dict({**panel.to_dict(), "samples": 1})
    run_id = f"plan-{uuid.uuid4().hex[:12]}"  # never an existing run: a new run is estimated
    if args.db is not None:
        with VisibilityStore(args.db, readonly=True) as store:
            estimate = estimate_run(one, store, run_id=run_id, method=args.method)
    else:
        estimate = estimate_run(one, None, run_id=run_id, method=args.method)
    out.write(
        f"panel {panel.name!r}: to see {100 * args.p_from:.1f}% -> {100 * args.p_to:.1f}% "
        f"(two-sided two-proportion z-test, pooled; power {args.power:g}, alpha "
        f"{args.alpha:g}) takes {needed} answers per engine and period\n"
        f"{prompts} prompt(s): {samples} samples per prompt and engine ({samples * prompts} "
        f"answers per engine; the panel has samples = {panel.samples})\n"
    )
    for key, worst in estimate.per_engine.items():
        expected = estimate.expected_per_engine.get(key, 0.0)
        out.write(
            f"  {key}: {prompts * samples} tasks, expected ${samples * expected:.4f}, at most "
            f"${samples * worst:.4f}\n"
        )
    known = estimate.expected_from_history
    basis = {0: "documented average prices", estimate.to_post: "the store's recorded costs"}
    basis_text = basis.get(known, "the store's recorded costs and documented average prices")
    out.write(
        f"per period: {estimate.to_post * samples} tasks, expected "
        f"${samples * estimate.expected_cost:.4f} (from {basis_text}), at most "
        f"${samples * estimate.to_post_cost:.4f} (the worst case --max-cost must allow, "
        f"{args.method})\n"
    )
    return 0


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


EXIT_OK: Final = 0
EXIT_INPUT: Final = 1
EXIT_PANEL: Final = 3
EXIT_NO_DATABASE: Final = 4
EXIT_UNKNOWN_RUN: Final = 5
EXIT_INCOMPLETE: Final = 6
EXIT_BUDGET: Final = 7
EXIT_API: Final = 8
EXIT_DATABASE: Final = 9
EXIT_OUTPUT: Final = 10
EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 141


def _rate(value: Rate) -> str:
    if value.value is None:
        return "undefined"
    assert value.low is not None  # noqa: S101 - defined with value
    assert value.high is not None  # noqa: S101
    text = (
        f"{100 * value.value:5.1f}% [{100 * value.low:.1f}-{100 * value.high:.1f}] "
        f"{value.successes}/{value.n}"
    )
    if value.prompt_low is None or value.prompt_high is None:
        return text
    return f"{text} {{{100 * value.prompt_low:.1f}-{100 * value.prompt_high:.1f}}}"


def _share(value: Rate) -> str:
    if value.value is None:
        return "undefined"
    return f"{100 * value.value:5.1f}% {value.successes}/{value.n}"


_BRAND_MARK: Final = (
    "  * marks the panel's own brand ([brand] in the panel file); the other rows are its "
    "competitors.\n"
)
_INTERVALS: Final = (
    "  [ ] 95% Wilson over answers (these prompts, as asked); { } 95% prompt level, "
    "answers clustered by prompt (prompts like these). share of voice: mentions / all "
    "tracked mentions; answer share: answers naming it / answers naming any. "
    "docs/metrics.md\n"
)


def _metrics_table(rows: Sequence[VisibilityRow], out: TextIO) -> None:
    for row in rows:
        key = ", ".join(f"{k}={v}" for k, v in row.key.items()) or "all"
        out.write(
            f"{key}: {row.answers} answers, {row.failed} failed, {row.pending} pending; "
            f"{row.answers_naming_any} name a tracked brand, {row.answers_citing_any} cite\n"
        )
        out.write(
            f"  {'brand (* = yours)':<22}{'mention rate':<42}{'share of voice':<42}"
            f"{'answer share':<16}{'pos':>5}  citation\n"
        )
        for name, m in row.brands.items():
            position = "-" if m.average_position is None else f"{m.average_position:.2f}"
            label = name + (" *" if name == row.brand else "")
            out.write(
                f"  {label:<22}{_rate(m.mention_rate):<42}{_rate(m.share_of_voice):<42}"
                f"{_share(m.answer_share):<16}{position:>5}  {_rate(m.citation_rate)}\n"
            )
        top = ", ".join(f"{d} {100 * s:.1f}%" for d, s in list(row.citation_share.items())[:5])
        out.write(f"  top cited: {top or '-'}\n")
    out.write(_BRAND_MARK + _INTERVALS)


_STATUS_COLUMNS: Final = (
    "run id",
    "panel",
    "method",
    "created",
    "measured",
    "failed",
    "pending",
    "cost",
)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int) -> list[str]:
    """Aligned lines under a header line; columns from ``numeric_from`` on are right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if index >= numeric_from else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip() + "\n")
    return lines


def _status(store: VisibilityStore, run: str | None, out: TextIO) -> None:
    if run is None:
        runs = store.runs()
        if not runs:
            out.write("no runs\n")
            return
        rows = [
            [
                *(i.run_id, i.panel_name, i.method, i.created_at),
                *(str(i.measured), str(i.failed), str(i.pending), f"${i.cost:.4f}"),
            ]
            for i in runs
        ]
        out.writelines(_table(_STATUS_COLUMNS, rows, numeric_from=4))
        return
    info = store.run(run)
    out.write(
        f"run {info.run_id} ({info.panel_name}, {info.method}): measured {info.measured}, "
        f"failed {info.failed}, pending {info.pending} (not sent {len(store.unsent(run))}, "
        f"in doubt {len(store.in_doubt(run))}, posted {len(store.posted(run))}); "
        f"cost ${info.cost:.4f}\n"
    )


def _run_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    panel = panel_for(args)
    run_id = args.run_id or uuid.uuid4().hex[:12]

    def show_estimate(estimate: RunEstimate) -> None:
        err.write(f"estimate: {estimate.describe(args.max_cost)}\n")
        if getattr(args, "target_half_width", None) is not None:
            bound = "within --max-cost" if args.max_cost is not None else "no --max-cost: open"
            err.write(
                f"estimate: the panel's own samples only; waves toward +/-"
                f"{args.target_half_width:g} may add samples up to --max-samples per prompt "
                f"and engine ({bound})\n"
            )
        note = catalogue_note(os.environ)  # on the emulator: which brands its answers name
        if note is not None:
            err.write(note + "\n")
        err.flush()

    extra: dict[str, Any] = {}
    if not args.estimate:
        check_credentials(os.environ)
    if args.postback:
        extra = {"postback_url": postback_url(os.environ), "collect": False}
    with VisibilityStore(args.db) as store:
        if args.estimate:
            estimate = estimate_run(
                panel,
                store,
                run_id=run_id,
                method=args.method,
                max_cost_per_call=args.max_cost_per_call,
                repost_in_doubt=args.repost_in_doubt,
            )
            show_estimate(estimate)
            return EXIT_BUDGET if budget_verdict(estimate, args.max_cost, err) else EXIT_OK
        err.write(f"run id {run_id} (to resume: --run-id {run_id})\n")
        if args.target_half_width is None:  # sampling to a target may add waves
            done = finished_run(store, run_id, panel, args.method)
            if done is not None:  # a scheduler's rerun of a finished run: no call at all
                err.write(f"run {run_id} is complete: nothing to post or collect.\n")
                _summary(store, run_id, out)
                return EXIT_OK
        new = not store.has_run(run_id)
        try:
            run_panel(
                panel,
                store,
                run_id=run_id,
                method=args.method,
                max_cost=args.max_cost,
                max_cost_per_call=args.max_cost_per_call,
                on_progress=ProgressPrinter(err, quiet=args.quiet),
                on_estimate=show_estimate,
                repost_in_doubt=args.repost_in_doubt,
                recover_wait=args.recover_wait,
                max_wait=args.max_wait,
                concurrency=args.concurrency,
                tasks_per_post=args.tasks_per_post,
                poll_interval=args.poll_interval,
                target_half_width=args.target_half_width,
                max_samples=args.max_samples,
                **extra,
            )
        except BaseException as error:
            if new:
                drop_if_unsent(store, run_id, err)
            if disk_full(error):
                err.write(
                    f"error: the disk is full ({error}). The store is consistent: free some "
                    f"space and run the same command with --run-id {run_id} (nothing is "
                    "posted twice).\n"
                )
                return EXIT_INCOMPLETE
            raise
        info = _summary(store, run_id, out)
        if info.pending and args.postback:
            err.write(
                f"{info.pending} task(s) posted for postback delivery; later, run without "
                f"--postback and with --run-id {run_id} to collect any not delivered.\n"
            )
            return EXIT_INCOMPLETE
        if info.pending:
            err.write(
                f"{info.pending} task(s) not finished: run the same command with "
                f"--run-id {run_id} to collect them (nothing is posted twice).\n"
            )
            return EXIT_INCOMPLETE
    return EXIT_OK


def _slice_keys(text: str) -> tuple[str, ...]:
    """``--by``'s comma-separated slice keys, blanks dropped (``''`` for one row)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _summary(store: VisibilityStore, run_id: str, out: TextIO) -> RunInfo:
    """Write the run's one-line summary on stdout; return its counts."""
    info = store.run(run_id)
    doubt = len(store.in_doubt(run_id))
    out.write(
        f"run {run_id}: measured {info.measured}, failed {info.failed}, pending "
        f"{info.pending} (in doubt {doubt}); cost ${info.cost:.6f}\n"
    )
    return info


def _outputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The files a command will write, by option (checked before anything is written)."""
    if args.command == "metrics":
        return [] if args.output is None else [("--output", args.output)]
    if args.command == "export":
        folder = args.parquet
        return [
            ("--parquet", folder / "answers.parquet"),
            ("--parquet", folder / "metrics.parquet"),
        ]
    if args.command != "report":
        return []
    md = args.md if args.md is not None else args.html.with_suffix(".md")
    named = [("--html", args.html), ("--md" if args.md else "--md (default)", md)]
    named += [(o, p) for o, p in (("--metrics-csv", args.metrics_csv), ("--answers", args.answers))]
    return [(option, path) for option, path in named if path is not None]


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.command == "run":
        return _run_command(args, out, err)
    if args.command == "plan":
        return plan_command(args, out)
    if args.command == "judge":
        return judge_command(args, out, err)
    if args.command == "check":
        panel = Panel.from_file(args.panel)
        check_models(args, panel, err)
        tasks = len(panel.task_keys)
        asked = [
            f"{e} ({'+'.join(panel.surfaces_of(e))})" if panel.surfaces_of(e) != ("api",) else e
            for e in panel.engines
        ]
        out.write(
            f"{args.panel}: panel {panel.name!r} is valid: {len(panel.prompts)} prompts x "
            f"{len(panel.engines)} engines ({', '.join(asked)}) x {panel.samples} "
            f"samples = {tasks} tasks; brand {panel.brand.name}, "
            f"{len(panel.competitors)} competitors\n"
        )
        return EXIT_OK
    if args.command == "delete":
        with VisibilityStore(args.db, create=False) as store:
            deleted = store.delete_run(args.run, force=args.force)
        out.write(f"deleted run {args.run} ({deleted} tasks)\n")
        return EXIT_OK
    outputs = _outputs(args)
    if isinstance(args.db, Path):  # a PostgreSQL store is no file an output could overwrite
        check_outputs(args.db, outputs)
    with VisibilityStore(args.db, readonly=True) as store:
        if args.command == "status":
            _status(store, args.run, out)
        elif args.command == "metrics":
            by = _slice_keys(args.by)
            rows = metrics(store, args.run, by)
            if args.surface is not None:
                rows = [row for row in rows if row.surface == args.surface]
            if args.format == "table":
                if args.output is not None:
                    with (
                        writing(*outputs),
                        args.output.open("w", encoding="utf-8") as file,
                    ):
                        _metrics_table(rows, file)
                else:
                    _metrics_table(rows, out)
            else:
                text = metrics_json(rows) + "\n" if args.format == "json" else metrics_csv(rows)
                if args.output is not None:
                    with writing(*outputs):
                        write_text(args.output, text)
                else:
                    out.write(text)
        elif args.command == "compare":
            rule = Z_TEST_RULE if args.rule == "z" else OVERLAP_RULE
            result = compare_runs(store, args.run_a, args.run_b, rule=rule)
            if args.surface is not None:
                result = [c for c in result if c.surface == args.surface]
            if args.format == "json":
                out.write(json.dumps([c.as_dict() for c in result], indent=2) + "\n")
            else:
                out.write(f"{args.run_a} -> {args.run_b}; significance: {rule}\n")
                labelled = any(c.surface != "api" for c in result)
                for engine in result:
                    label = f" ({engine.surface})" if labelled else ""
                    tested = f"{engine.cells_tested} cell(s) tested, FDR controlled"
                    why = (
                        f"; not comparable: {engine.not_comparable}"
                        if engine.not_comparable
                        else ""
                    )
                    out.write(f"{engine.engine}{label}: {tested}{why}\n")
                    for brand, changes in engine.changes.items():
                        for name, change in changes.items():
                            if change.delta is None:
                                continue
                            out.write(
                                f"  {brand:<20}{name:<16}{compare_cell(engine, brand, name)}\n"
                            )
                    out.write(f"  domains gained: {', '.join(engine.domains_gained) or '-'}\n")
                    out.write(f"  domains lost: {', '.join(engine.domains_lost) or '-'}\n")
        elif args.command == "export":
            by = _slice_keys(args.by)
            try:
                with writing(*outputs):
                    exported = export_parquet(store, args.run, args.parquet, by=by)
            except ImportError as error:  # pyarrow missing: the message names the extra
                err.write(f"error: {error}\n")
                return EXIT_INPUT
            out.write("wrote " + ", ".join(str(p) for p in exported) + "\n")
        else:  # report
            paths = dict(outputs)
            with writing(*outputs[:2]):
                html_path, md_path = report(store, args.run, args.html, markdown=args.md)
            written = [html_path, md_path]
            if args.metrics_csv is not None:
                text = metrics_csv(metrics(store, args.run))
                with writing(("--metrics-csv", paths["--metrics-csv"])):
                    written.append(write_text(args.metrics_csv, text))
            if args.answers is not None:
                json_out = args.answers.suffix.lower() == ".json"
                text = answers_json(store, args.run) if json_out else answers_csv(store, args.run)
                with writing(("--answers", paths["--answers"])):
                    written.append(write_text(args.answers, text))
            out.write("wrote " + ", ".join(str(p) for p in written) + "\n")
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line.

    Args:
        argv: The arguments (default ``sys.argv[1:]``).
        stdout: Where results go (default ``sys.stdout``).
        stderr: Where error messages go (default ``sys.stderr``).

    Returns:
        The exit code (see the module docstring).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "plan" and args.p_from == args.p_to:
        parser.error(f"plan: --to must differ from --from (both {args.p_from!r})")
    if getattr(args, "max_samples", None) is not None and args.target_half_width is None:
        parser.error("run: --max-samples goes with --target-half-width")
    try:
        code = _run(args, out, err)
        out.flush()  # a pipe's reader gone shows here, not at the interpreter's exit
    except BrokenPipeError:
        _drop_closed_pipes(out, err)
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        err.write(
            "interrupted: the store is consistent; run the same command with the same "
            "--run-id to resume (nothing is posted twice)\n"
        )
        return EXIT_INTERRUPTED
    except sqlite3.Error as error:  # met while reading or writing, after the store opened
        problem = store_error(getattr(args, "db", None) or Path("(the store)"), error)
        _say(err, problem)
        return _locked_run(args, err) if problem.reason == "locked" else EXIT_DATABASE
    except DataForSEOError as error:
        _say(err, error)
        if isinstance(error, DatabaseFileError) and error.reason == "locked":
            return _locked_run(args, err)
        return _code(error)
    return code


def _locked_run(args: argparse.Namespace, err: TextIO) -> int:
    """A store locked by another process past the wait: ``run`` may simply start again."""
    if args.command != "run":
        return EXIT_DATABASE
    err.write(
        "the store stayed locked by another process (another run writing?); nothing is "
        "lost: run the same command again with the same --run-id (nothing is posted twice).\n"
    )
    return EXIT_INCOMPLETE


def _drop_closed_pipes(*streams: TextIO) -> None:
    """Point the process's stdout / stderr at the null device: their unflushed rest is dropped.

    Without it the interpreter's last flush at exit meets the closed pipe again and
    prints ``Exception ignored ... BrokenPipeError``.
    """
    for stream in streams:
        if stream is not sys.stdout and stream is not sys.stderr:
            continue  # a caller's own stream: nothing to redirect
        try:
            descriptor = stream.fileno()
        except (OSError, ValueError):
            continue
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)


def _code(error: DataForSEOError) -> int:
    """The exit code of an error (see the module docstring)."""
    if isinstance(error, DataForSEOBudgetError):
        return EXIT_BUDGET
    if isinstance(error, PanelFileError):
        return EXIT_PANEL
    if isinstance(error, (DatabaseFileError, DatabaseServerError)):
        return EXIT_DATABASE
    if isinstance(error, OutputFileError):
        return EXIT_OUTPUT
    if isinstance(error, VisibilityStoreError):
        if error.field == "db":
            return EXIT_NO_DATABASE
        if error.field == "run_id":
            return EXIT_UNKNOWN_RUN
        return EXIT_INPUT
    if isinstance(error, DataForSEOInputError):
        return EXIT_INPUT
    return EXIT_API


def _say(err: TextIO, error: Exception) -> None:
    """Write an error; the postback URL's query values and userinfo are never shown."""
    text = str(error)
    url = os.environ.get(POSTBACK_ENV)
    if url:
        text = text.replace(url, shown_url(url))
    err.write(f"error: {text}\n")
