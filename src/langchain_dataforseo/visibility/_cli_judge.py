"""The ``judge`` command: a run's brand sentiment judged by a ``ChatDataForSEO`` model.

``judge RUN --db FILE --engine ENGINE --model MODEL [--max-cost USD] [--estimate]``: the
expected judging cost is printed first (stderr), then every (answer, named brand) pair not
yet judged by that model and prompt version is judged, one Live call each, without web
search. Credentials come from ``DATAFORSEO_LOGIN`` and ``DATAFORSEO_PASSWORD``. Exit codes
follow the command line's table: 0 all judged, 6 stopped by ``--max-cost`` (run again to
go on: nothing is judged twice), 1 an answer the judge gave no readable verdict for
(named; the verdicts before it are kept) or missing credentials, 4 / 5 / 9 as for the
other commands.
"""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO

from langchain_core.language_models import BaseChatModel

from langchain_dataforseo._api.fields import ENGINES
from langchain_dataforseo.visibility._cli_checks import check_credentials, non_negative, run_id_arg
from langchain_dataforseo.visibility._dialect import store_argument
from langchain_dataforseo.visibility._judge import estimate_judging, judge_run
from langchain_dataforseo.visibility._store import VisibilityStore

EXIT_STOPPED = 6
"""``--max-cost`` stopped the judging (the CLI's "incomplete: run again" code)."""


def add_judge_parser(commands: Any) -> None:
    """Add the ``judge`` sub-parser to the command line's sub-parsers."""
    judge = commands.add_parser(
        "judge",
        help="judge each named brand's sentiment and recommendation with a ChatDataForSEO model",
        description="For each measured answer of RUN and each tracked brand it names, ask "
        "the model (one Live call, no web search) whether the answer speaks of the brand "
        "positively, neutrally or negatively, and whether it recommends it. The judge's "
        "cost is your LLM spend, counted apart from the run's; the expected cost is printed "
        "first. Verdicts are kept per judge model and prompt version; `metrics` then shows "
        "positive_rate, negative_rate and recommended_rate.",
        epilog="Exit codes: 0 all judged, 6 stopped by --max-cost (run again to go on), "
        "1 a verdict that could not be read (the answer is named) or missing credentials, "
        "4 missing database, 5 unknown run id, 9 unusable database.",
    )
    judge.add_argument("run", type=run_id_arg, metavar="RUN")
    judge.add_argument(
        "--db", type=store_argument, required=True, metavar="DB", help="the store (file or URL)"
    )
    judge.add_argument("--engine", choices=ENGINES, required=True, help="the judge's engine")
    judge.add_argument("--model", required=True, help="the judge's model, e.g. gpt-4.1-mini")
    judge.add_argument(
        "--max-cost",
        type=non_negative,
        metavar="USD",
        help="stop before a judge call could take the judging's cost over this",
    )
    judge.add_argument(
        "--estimate", action="store_true", help="print the expected cost and judge nothing"
    )


def judge_model(engine: str, model: str) -> BaseChatModel:
    """The judge: a Live ``ChatDataForSEO`` model without web search (env credentials).

    Imported here, not at the top: the judge command is the one part of visibility that
    uses the chat model (by design); the panel run stands on the Standard queue.
    """
    from langchain_dataforseo.chat_models import ChatDataForSEO

    return ChatDataForSEO(engine=engine, model=model, method="live", web_search=False)


def judge_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Judge a run (see the module docstring); returns the exit code."""
    if not args.estimate:
        check_credentials(os.environ)
    with VisibilityStore(args.db, create=False, readonly=args.estimate) as store:
        store.check_run(args.run)
        model = judge_model(args.engine, args.model)
        estimate = estimate_judging(store, args.run, model)
        cost = "unknown" if estimate.cost is None else f"${estimate.cost:.4f}"
        err.write(
            f"judge {estimate.judge}: {estimate.calls} call(s) to make, about "
            f"{estimate.input_tokens} input tokens, expected cost {cost} (your LLM spend, "
            "apart from the run's DataForSEO cost)\n"
        )
        if args.estimate:
            return 0
        result = judge_run(store, args.run, model, max_cost=args.max_cost)
    out.write(
        f"judged {result.judged} (answer, brand) pair(s) of run {args.run} with "
        f"{result.judge} (prompt {result.prompt_version}); {result.already} already judged; "
        f"judge cost ${result.cost:.4f}"
        + (f" ({result.unpriced} call(s) reported no cost)" if result.unpriced else "")
        + "\n"
    )
    if result.stopped:
        err.write(
            f"stopped by --max-cost ${args.max_cost:.4f}: {result.remaining} pair(s) left; "
            "run the same command again to go on (nothing is judged twice)\n"
        )
        return EXIT_STOPPED
    return 0
