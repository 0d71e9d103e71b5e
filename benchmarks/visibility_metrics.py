"""``metrics`` over 100,000+ stored answers vs DuckDB on the same answers (issues 13, 23).

Synthetic answers (seeded): each names a random subset of 6 tracked brands in random order
(sometimes by an alias), cites 0-5 URLs from 12 domains (subdomains included) and lists
2-3 fan-out queries; 2% of the tasks fail and 1% stay pending. The answers are recorded
through ``VisibilityStore.record_results`` (so the extraction runs once, at write time).

Then, each case in its own child process (so that its peak memory, ``VmHWM``, is its
own):

- ``package``: ``metrics`` by engine (every rate, both intervals, citation shares, fan-out
  queries), by engine and prompt, and overall, from the store;
- ``duckdb``: DuckDB (``SET threads=1``) computing the same five aggregates by engine from
  the same answers exported to Parquet (one row per task, the brands, ranks, cited brands,
  cited domains and fan-out queries as lists): per (engine, prompt) the task counts by
  status, cost, answers naming / citing anything and citations; per (engine, brand,
  prompt) answers naming the brand and the sum of its ranks; per (engine, brand, prompt)
  answers citing the brand's domains; per (engine, domain) citations; per (engine, query)
  answers. The Parquet file is written by this script from the store's tables (the same
  for any schema version), not by the package.

A figure to read, not a test.

    python benchmarks/visibility_metrics.py                      # 100,000 answers
    python benchmarks/visibility_metrics.py --answers 1000000 --keep /tmp/bench1m.db
    python benchmarks/visibility_metrics.py --db /tmp/bench1m.db  # reuse a filled store

``--db`` takes the store's location (a path or ``sqlite:///...``, or a PostgreSQL URL):
a store that already holds the run ``bench`` is measured as it is, otherwise it is filled
first.

``--postgres`` measures the package on PostgreSQL too, on the same answers: a throwaway
server (``tests/pg_server.py``: ``initdb`` in a temporary folder, 127.0.0.1, a free port,
stopped and removed at the end), or the database at ``--postgres URL``. An empty
PostgreSQL store is created by ``VisibilityStore(url)`` (its migrations) and loaded from
the SQLite store with ``COPY``, table by table (the store's own write path costs a round
trip per statement: 35 s for 20,000 answers, so about half an hour for 1,000,000), then
``VACUUM ANALYZE`` (what autovacuum does after a fill). The measured ``metrics`` call is
the package's own. The peak memory is the Python process's; the server backend's peak
resident memory (which counts the shared buffers it touched) is printed beside it.

    python benchmarks/visibility_metrics.py --postgres  # SQLite, PostgreSQL, DuckDB
    python benchmarks/visibility_metrics.py --answers 1000000 --postgres
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_dataforseo.visibility import Panel, VisibilityStore, metrics

BRANDS = [
    ("HubSpot", ["HubSpot CRM"], ["hubspot.com"]),
    ("Salesforce", ["Sales Cloud"], ["salesforce.com"]),
    ("Pipedrive", [], ["pipedrive.com"]),
    ("Zoho CRM", ["Zoho"], ["zoho.com"]),
    ("Monday.com", ["monday"], ["monday.com"]),
    ("Freshsales", [], ["freshworks.com"]),
]
OTHER_HOSTS = [
    "www.g2.com",
    "capterra.com",
    "blog.hubspot.com",
    "en.wikipedia.org",
    "www.forbes.com",
    "zapier.com",
    "www.reddit.com",
    "www.techradar.com",
    "news.bbc.co.uk",
    "salesforce.com",
    "help.pipedrive.com",
    "www.zoho.com",
]
QUERIES = [
    "best crm 2026",
    "crm comparison",
    "crm for agencies",
    "hubspot vs salesforce",
    "cheap crm",
    "crm reviews",
    "crm free plan",
    "top crm tools",
]
ENGINES = {
    "chat_gpt": "gpt-4.1-mini",
    "claude": "claude-haiku-4-5",
    "gemini": "gemini-2.5-flash",
    "perplexity": "sonar",
}
PROMPTS = 50
RUN = "bench"


def synthetic_task(rng: random.Random, index: int) -> dict[str, Any]:
    named = [b for b in BRANDS if rng.random() < 0.4]
    rng.shuffle(named)
    lines = ["Here are the options most often recommended:"]
    for number, (name, aliases, _domains) in enumerate(named, 1):
        shown = rng.choice(aliases) if aliases and rng.random() < 0.3 else name
        lines.append(f"{number}. **{shown}** – a solid choice for small teams.")
    notes = []
    for _ in range(rng.randrange(6)):
        host = rng.choice(OTHER_HOSTS)
        url = f"https://{host}/page-{rng.randrange(1000)}?utm_source=openai"
        lines.append(f"Source ([{host}]({url})).")
        notes.append({"title": host, "url": url})
    text = "\n".join(lines)
    return {
        "id": f"bench-{index}",
        "status_code": 20000,
        "status_message": "Ok.",
        "cost": 0.0012,
        "result": [
            {
                "model_name": "model-2026",
                "items": [
                    {
                        "type": "message",
                        "sections": [{"type": "text", "text": text, "annotations": notes}],
                    }
                ],
                "fan_out_queries": rng.sample(QUERIES, rng.randint(2, 3)),
            }
        ],
    }


def fill(store: VisibilityStore, answers: int, seed: int) -> str:
    samples = max(1, answers // (PROMPTS * len(ENGINES)))
    panel = Panel(
        "bench",
        [f"Which CRM suits team type {i}?" for i in range(PROMPTS)],
        {"name": BRANDS[0][0], "aliases": BRANDS[0][1], "domains": BRANDS[0][2]},
        [{"name": n, "aliases": a, "domains": d} for n, a, d in BRANDS[1:]],
        ENGINES,
        samples=samples,
    )
    run = store.create_run(panel, run_id=RUN)
    rng = random.Random(seed)
    batch: list[tuple[str, dict[str, Any], float | None]] = []
    for index, task in enumerate(store.tasks(run)):
        draw = rng.random()
        if draw < 0.01:
            continue  # pending
        if draw < 0.03:
            store.record_failure(run, task.tag, 50301, "3rd Party API Service Unavailable.")
            continue
        batch.append((task.tag, synthetic_task(rng, index), None))
        if len(batch) >= 5000:
            store.record_results(run, batch)
            batch.clear()
    store.record_results(run, batch)
    return run


def peak_mib() -> float:
    """This process's peak resident memory, MiB: ``VmHWM`` where there is ``/proc``.

    Not ``ru_maxrss`` on Linux: it keeps the high-water mark across ``exec``, so a child
    would report at least its parent's memory at the fork.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def case_package(db: str, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with VisibilityStore(db) as store:
        for label, by in (("engine", ("engine",)), ("engine, prompt", ("engine", "prompt"))):
            best = float("inf")
            rows = []
            for _ in range(repeat):
                started = time.perf_counter()
                rows = metrics(store, RUN, by)
                best = min(best, time.perf_counter() - started)
            out[label] = best
            out[f"{label} rows"] = len(rows)
            out[f"{label} answers"] = sum(row.answers for row in rows)
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            metrics(store, RUN, ())
            best = min(best, time.perf_counter() - started)
        out["(overall)"] = best
        out["server MiB"] = backend_peak_mib(store)
    out["peak MiB"] = peak_mib()
    return out


def backend_peak_mib(store: VisibilityStore) -> float | None:
    """The PostgreSQL backend's peak resident memory (``VmHWM``), MiB, when it is local."""
    if store.dialect != "postgresql":
        return None
    pid = store.connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None  # another machine's server, or not ours to read
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def export_for_duckdb(db: str, folder: Path) -> Path:
    """The run's answers as Parquet, one row per task with its facts as lists."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with VisibilityStore(db) as store:
        conn = store.connection
        brands: dict[int, list[tuple[str, int]]] = {}
        for task, brand, rank in conn.execute(
            "SELECT m.task, m.brand, m.rank FROM mentions m JOIN tasks t ON t.id = m.task "
            "WHERE t.run_id = ?",
            (RUN,),
        ):
            brands.setdefault(task, []).append((brand, rank))
        cited_brands: dict[int, set[str]] = {}
        domains: dict[int, list[str]] = {}
        for task, domain, brand in conn.execute(
            "SELECT c.task, c.domain, c.brand FROM citations c JOIN tasks t ON t.id = c.task "
            "WHERE t.run_id = ? ORDER BY c.task, c.seq",
            (RUN,),
        ):
            domains.setdefault(task, []).append(domain)
            if brand is not None:
                cited_brands.setdefault(task, set()).add(brand)
        queries: dict[int, list[str]] = {}
        for task, query in conn.execute(
            "SELECT f.task, f.query FROM fan_out f JOIN tasks t ON t.id = f.task "
            "WHERE t.run_id = ?",
            (RUN,),
        ):
            queries.setdefault(task, []).append(query)
        columns: dict[str, list[Any]] = {
            k: []
            for k in (
                "engine",
                "surface",
                "model",
                "prompt_index",
                "status",
                "cost",
                "named_count",
                "citation_count",
                "brands",
                "ranks",
                "cited_brands",
                "cited_domains",
                "fan_out_queries",
            )
        }
        for row in conn.execute(
            "SELECT id, engine, surface, model, prompt_index, status, cost, named_count, "
            "citation_count FROM tasks WHERE run_id = ? ORDER BY id",
            (RUN,),
        ):
            task = row[0]
            for name, value in zip(list(columns)[:8], row[1:], strict=True):
                columns[name].append(value)
            named = brands.get(task, [])
            columns["brands"].append([b for b, _ in named])
            columns["ranks"].append([r for _, r in named])
            columns["cited_brands"].append(sorted(cited_brands.get(task, ())))
            columns["cited_domains"].append(domains.get(task, []))
            columns["fan_out_queries"].append(queries.get(task, []))
    path = folder / "answers.parquet"
    pq.write_table(pa.table(columns), path)
    return path


DUCKDB_AGGREGATES = {
    "tasks by engine, prompt": (
        "SELECT engine, prompt_index, count(*) FILTER (status = 'measured'), "
        "count(*) FILTER (status = 'failed'), count(*) FILTER (status = 'pending'), "
        "coalesce(sum(cost), 0), count(*) FILTER (status = 'measured' AND named_count > 0), "
        "count(*) FILTER (status = 'measured' AND citation_count > 0), "
        "sum(citation_count) FILTER (status = 'measured') "
        "FROM answers GROUP BY engine, prompt_index"
    ),
    "mentions by engine, brand, prompt": (
        "SELECT engine, brand, prompt_index, count(*), sum(rank) FROM ("
        "SELECT engine, prompt_index, unnest(brands) AS brand, unnest(ranks) AS rank "
        "FROM answers WHERE status = 'measured') GROUP BY engine, brand, prompt_index"
    ),
    "cited brands by engine, brand, prompt": (
        "SELECT engine, brand, prompt_index, count(*) FROM ("
        "SELECT engine, prompt_index, unnest(cited_brands) AS brand "
        "FROM answers WHERE status = 'measured') GROUP BY engine, brand, prompt_index"
    ),
    "citations by engine, domain": (
        "SELECT engine, domain, count(*) FROM ("
        "SELECT engine, unnest(cited_domains) AS domain "
        "FROM answers WHERE status = 'measured') GROUP BY engine, domain"
    ),
    "fan-out by engine, query": (
        "SELECT engine, query, count(*) FROM ("
        "SELECT engine, unnest(fan_out_queries) AS query "
        "FROM answers WHERE status = 'measured') GROUP BY engine, query"
    ),
}


def case_duckdb(parquet: str, repeat: int) -> dict[str, Any]:
    import duckdb

    conn = duckdb.connect()
    conn.execute("SET threads=1")
    conn.execute(f"CREATE VIEW answers AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    out: dict[str, Any] = {}
    total = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for label, sql in DUCKDB_AGGREGATES.items():
            one = time.perf_counter()
            conn.execute(sql).fetchall()
            out[label] = min(out.get(label, float("inf")), time.perf_counter() - one)
        total = min(total, time.perf_counter() - started)
    out["five aggregates"] = total
    out["peak MiB"] = peak_mib()
    return out


def child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


FIRST_TABLES = ("runs", "tasks")  # what the other tables' foreign keys refer to


def load_postgres(sqlite_db: str, url: str) -> None:
    """Copy the SQLite store's rows into a new PostgreSQL store: ``COPY``, table by table."""
    import sqlite3

    import psycopg

    with VisibilityStore(url):
        pass  # the store's own migrations create the schema
    source = sqlite3.connect(sqlite_db)
    tables = [
        name
        for (name,) in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name"
        )
    ]
    tables.sort(key=lambda t: FIRST_TABLES.index(t) if t in FIRST_TABLES else len(FIRST_TABLES))
    with psycopg.connect(url) as target, target.cursor() as cursor:
        for table in tables:
            columns = ", ".join(row[1] for row in source.execute(f"PRAGMA table_info({table})"))
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {columns} FROM {table}"):  # noqa: S608
                    copy.write_row(row)
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE is_identity = 'YES' AND table_schema = current_schema()"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), max({column})) "  # noqa: S608
                f"FROM {table} HAVING max({column}) IS NOT NULL",
                (table, column),
            )
    source.close()
    with psycopg.connect(url, autocommit=True) as target:
        target.execute("VACUUM ANALYZE")


def on_postgres(sqlite_db: str, url: str, repeat: int) -> dict[str, dict[str, Any]]:
    """The package's ``metrics`` on PostgreSQL (as set up, then serial), loaded if empty."""
    with VisibilityStore(url) as store:
        filled = store.has_run(RUN)
    if not filled:
        started = time.perf_counter()
        load_postgres(sqlite_db, url)
        took = time.perf_counter() - started
        print(f"loaded into PostgreSQL (COPY, VACUUM ANALYZE) in {took:.1f} s")
    with VisibilityStore(url) as store:
        info = store.run(RUN)
        size = store.connection.execute("SELECT pg_database_size(current_database())")
        megabytes = size.fetchone()[0] / 1e6
    print(
        f"PostgreSQL run {RUN}: {info.measured} measured, {info.failed} failed, "
        f"{info.pending} pending; database {megabytes:.0f} MB"
    )
    case = ["--case", "package", "--db", url, "--repeat", str(repeat)]
    return {
        "PostgreSQL": child(case),
        "PG serial": child(case, {"PGOPTIONS": "-c max_parallel_workers_per_gather=0"}),
    }


def measure_postgres(sqlite_db: str, url: str, repeat: int) -> dict[str, dict[str, Any]]:
    """``on_postgres`` at ``url``, or on a throwaway server when ``url`` is empty."""
    if url:
        return on_postgres(sqlite_db, url, repeat)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.pg_server import running_server

    with running_server() as server:
        version = subprocess.run(  # noqa: S603
            [str(server.bindir / "postgres"), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print(f"throwaway server: {version}, 127.0.0.1:{server.port}, default settings")
        return on_postgres(sqlite_db, server.url(server.createdb()), repeat)


def show_package(store: str, result: dict[str, Any], repeat: int) -> None:
    """The package's lines of the report, for one store."""
    for label in ("engine", "engine, prompt"):
        print(
            f"package on {store:<10} metrics by {label:<16} {result[label + ' rows']:>5} rows "
            f"{result[label + ' answers']:>8} answers  best of {repeat}: {result[label]:.3f} s"
        )
    print(
        f"package on {store:<10} metrics (overall)                       "
        f"best of {repeat}: {result['(overall)']:.3f} s"
    )
    server = result.get("server MiB")
    said = (
        f"; server backend peak {server:.0f} MiB (shared buffers it touched included)"
        if server is not None
        else ""
    )
    print(f"package on {store:<10} peak memory {result['peak MiB']:.0f} MiB (Python){said}")


def measure(
    db: str, answers: int, seed: int, repeat: int, folder: Path, postgres: str | None
) -> None:
    with VisibilityStore(db) as store:
        if not store.has_run(RUN):
            started = time.perf_counter()
            fill(store, answers, seed)
            print(f"filled in {time.perf_counter() - started:.1f} s")
        info = store.run(RUN)
    size = Path(db).stat().st_size / 1e6 if Path(db).exists() else float("nan")
    print(
        f"run {RUN}: {info.measured + info.failed + info.pending} tasks ({info.measured} "
        f"measured, {info.failed} failed, {info.pending} pending); database {size:.0f} MB"
    )
    package = child(["--case", "package", "--db", db, "--repeat", str(repeat)])
    parquet = export_for_duckdb(db, folder)
    print(f"parquet {parquet.stat().st_size / 1e6:.1f} MB")
    duck = child(["--case", "duckdb", "--parquet", str(parquet), "--repeat", str(repeat)])
    on_pg = measure_postgres(db, postgres, repeat) if postgres is not None else None
    name = "PostgreSQL" if db.startswith("postgres") else "SQLite"
    show_package(name, package, repeat)
    for store, result in (on_pg or {}).items():
        show_package(store, result, repeat)
    if on_pg:
        print(
            "(PG serial: max_parallel_workers_per_gather = 0, one process as DuckDB's one thread)"
        )
    for label in DUCKDB_AGGREGATES:
        print(f"duckdb  {label:<38} {duck[label]:.3f} s")
    print(
        f"duckdb  five aggregates, one thread   best of {repeat}: "
        f"{duck['five aggregates']:.3f} s; peak memory {duck['peak MiB']:.0f} MiB"
    )
    for store, result in {name: package, **(on_pg or {})}.items():
        ratio = result["engine"] / duck["five aggregates"]
        print(f"package on {store} by engine / duckdb: {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="the store (path or URL); filled when it lacks the run")
    parser.add_argument("--keep", help="fill a new store at this path and keep it")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="",
        metavar="URL",
        help="measure on PostgreSQL too: this database, or a throwaway server without URL",
    )
    parser.add_argument("--case", choices=("package", "duckdb"), help=argparse.SUPPRESS)
    parser.add_argument("--parquet", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case == "package":
        print(json.dumps(case_package(args.db, args.repeat)))
        return
    if args.case == "duckdb":
        print(json.dumps(case_duckdb(args.parquet, args.repeat)))
        return
    if args.postgres is not None and (args.db or "").startswith("postgres"):
        parser.error("--postgres loads PostgreSQL from a SQLite store: give --db a SQLite path")
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or args.keep or str(Path(folder) / "bench.db")
        measure(db, args.answers, args.seed, args.repeat, Path(folder), args.postgres)


if __name__ == "__main__":
    main()
