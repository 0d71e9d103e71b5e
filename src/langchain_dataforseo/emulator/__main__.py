"""Command line: ``python -m langchain_dataforseo.emulator --port 8080``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from ._app import Emulator
from ._brands import BrandCatalogue, default_catalogue, describe_catalogue
from ._config import IDLE_TIMEOUT, MAX_BODY_BYTES, REQUEST_TIMEOUT, EmulatorConfig
from ._responses import MODELS_SHAPES
from ._server import EmulatorServer

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Build the CLI argument parser.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="python -m langchain_dataforseo.emulator",
        description="Local emulator of DataForSEO's AI Optimization LLM Responses API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--login", default=None, help="accepted login (env DATAFORSEO_LOGIN)")
    parser.add_argument(
        "--password", default=None, help="accepted password (env DATAFORSEO_PASSWORD)"
    )
    parser.add_argument(
        "--live-latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds added to every live task; it counts against the live concurrency "
        "limit meanwhile (default 0)",
    )
    parser.add_argument(
        "--task-latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds after task_post before a Standard task is ready (default 0)",
    )
    faults = (
        ("--fault-task-error-50000", "processed tasks that fail with task status 50000, cost 0"),
        ("--fault-task-error-50301", "processed tasks that fail with task status 50301, cost 0"),
        ("--fault-rate-limit", "API calls answered with 40202 (rate limit), not charged"),
        ("--fault-http-500", "API calls answered with HTTP 500 / status 50000, not charged"),
        ("--fault-drop-connection", "API calls whose connection is dropped unprocessed"),
        (
            "--fault-malformed-json",
            "API calls processed AND charged, then answered with truncated JSON",
        ),
    )
    for flag, what in faults:
        parser.add_argument(
            flag,
            type=float,
            default=0.0,
            metavar="FRACTION",
            help=f"fraction 0 to 1 of {what} (default 0)",
        )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="INT",
        help="seed of the fault RNG: the same seed and call sequence give the same faults "
        "(default 0)",
    )
    parser.add_argument(
        "--live-concurrency-limit",
        type=int,
        default=30,
        metavar="TASKS",
        help="simultaneous live tasks per engine; one more gets 40209 (default 30)",
    )
    parser.add_argument(
        "--calls-per-minute",
        type=int,
        default=2000,
        metavar="CALLS",
        help="API calls allowed in any sliding 60 s window; past it 40202 (default 2000)",
    )
    parser.add_argument(
        "--tasks-ready-per-minute",
        type=int,
        default=20,
        metavar="CALLS",
        help="tasks_ready calls allowed in any sliding 60 s window (default 20)",
    )
    parser.add_argument(
        "--callback-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds allowed for one pingback / postback delivery (default 10)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=MAX_BODY_BYTES,
        metavar="BYTES",
        help="largest request body served; a larger one gets HTTP 413 before it is read "
        f"(Content-Length) or when it passes the limit (chunked) (default {MAX_BODY_BYTES})",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=IDLE_TIMEOUT,
        metavar="SECONDS",
        help="seconds a keep-alive connection may stay silent before it is closed "
        f"(default {IDLE_TIMEOUT:g})",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="seconds from a request's first byte until its line, headers and body are read; "
        f"past it the connection is closed (default {REQUEST_TIMEOUT:g})",
    )
    parser.add_argument(
        "--models-shape",
        choices=MODELS_SHAPES,
        default=MODELS_SHAPES[0],
        help="shape of the models answers: 'documented' (default; as the October 2025 docs "
        "and the official client 2.1.10: no 'reasoning' field, aliases such as gpt-4.1-mini "
        "beside dated names) or 'reasoning' (dated names, each with a 'reasoning' flag)",
    )
    parser.add_argument(
        "--brand-catalogue",
        metavar="FILE|default|none",
        default="default",
        help="brand truth of the answers: a JSON file (see BrandCatalogue.from_dict), "
        "'default' (the built-in catalogue of the example panels, the same as "
        "examples/brands.json: HubSpot, Salesforce, Pipedrive, Zoho CRM for CRM prompts) "
        "or 'none' (answers name no brand of their own); default: 'default'",
    )
    return parser


def _read_catalogue(path: str) -> BrandCatalogue:
    """The brand catalogue file: UTF-8 JSON (a BOM allowed), no lone surrogate, not too deep.

    Raises ValueError (a ``UnicodeError`` or ``JSONDecodeError`` among them) with the problem.
    """
    with open(path, encoding="utf-8-sig") as file:  # UTF-8 only, with or without a BOM
        try:
            data = json.load(file)
            # a lone surrogate (a \\ud800 escape) cannot be encoded: refuse it here, not in
            # an answer
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            msg = "nested too deeply to read"
            raise ValueError(msg) from None
        except UnicodeDecodeError as error:
            msg = f"not UTF-8 ({error}); the file must be UTF-8, with or without a BOM"
            raise ValueError(msg) from None
        except UnicodeEncodeError as error:
            msg = f"text with a lone surrogate ({error.reason}); the file must be UTF-8 text"
            raise ValueError(msg) from None
    return BrandCatalogue.from_dict(data)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator server until Ctrl-C.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The exit code.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    brands: BrandCatalogue | None = None
    origin = args.brand_catalogue
    if origin == "default":
        brands, origin = default_catalogue(), "built-in default (as examples/brands.json)"
    elif origin != "none":
        try:
            brands = _read_catalogue(args.brand_catalogue)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            parser.error(f"--brand-catalogue {args.brand_catalogue}: {error}")
    try:
        config = EmulatorConfig(
            login=args.login or os.environ.get("DATAFORSEO_LOGIN") or "emulator-login",
            password=args.password or os.environ.get("DATAFORSEO_PASSWORD") or "emulator-password",
            live_latency=args.live_latency,
            task_latency=args.task_latency,
            fault_task_error_50000=args.fault_task_error_50000,
            fault_task_error_50301=args.fault_task_error_50301,
            fault_rate_limit_40202=args.fault_rate_limit,
            fault_http_500=args.fault_http_500,
            fault_drop_connection=args.fault_drop_connection,
            fault_malformed_json=args.fault_malformed_json,
            seed=args.seed,
            live_concurrency_limit=args.live_concurrency_limit,
            calls_per_minute=args.calls_per_minute,
            tasks_ready_per_minute=args.tasks_ready_per_minute,
            callback_timeout=args.callback_timeout,
            brand_catalogue=brands,
            max_body_bytes=args.max_body_bytes,
            idle_timeout=args.idle_timeout,
            request_timeout=args.request_timeout,
            models_shape=args.models_shape,
        )
    except ValueError as error:  # an out-of-range value: a usage error, not a traceback
        parser.error(str(error))
    server = EmulatorServer(Emulator(config), host=args.host, port=args.port)
    sys.stdout.write(f"DataForSEO emulator listening on {server.base_url}\n")
    prefix = "" if brands is None else f"{origin}: "
    sys.stdout.write(f"brand catalogue: {prefix}{describe_catalogue(brands)}\n")
    sys.stdout.write(f"models answers: {args.models_shape} shape\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
