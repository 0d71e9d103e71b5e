"""Exports of metrics and answers: JSON, CSV, Parquet (pyarrow) and pandas when installed.

Text from a user or the API is made inert in the files a run is exported to (pure
functions, also used by the report):

- :func:`escape_markdown`: for the Markdown summary. Panel and brand names, cited domains
  and anything else that came from a panel file, a store or an answer are shown as the text
  they are: no HTML (``<img onerror=...>`` becomes ``&lt;img onerror=...&gt;``), no link,
  image, emphasis, code span or heading, no ``|`` that splits a table cell, no line break,
  and no bare ``https://`` or ``www.`` that a GFM renderer would turn into a link.
- :func:`spreadsheet_safe`: for CSV cells. A text cell that a spreadsheet would read as a
  formula (OWASP's CSV-injection rule: it starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return) gets a leading ``'``; numbers stay numbers.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from langchain_dataforseo.visibility._matching import extract_for
from langchain_dataforseo.visibility._metrics import VisibilityRow, metrics
from langchain_dataforseo.visibility._store import VisibilityStore

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""How a CSV cell a spreadsheet could run as a formula starts (OWASP, "CSV Injection")."""

_ENTITIES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKSLASHED: Final = frozenset("\\`*_[](){}|~!#")
"""Characters with an inline meaning in CommonMark or GFM (all ASCII punctuation, so a
backslash makes each one literal). ``_`` between two letters or digits is left alone: it
cannot open or close emphasis there, and ``chat_gpt`` stays readable."""
_LINE_START: Final = frozenset("-+=")


def escape_markdown(text: str) -> str:
    """``text`` as inert Markdown: it renders as itself, on one line, in a paragraph or cell.

    ``&``, ``<`` and ``>`` become HTML entities (so no raw HTML and no ``<autolink>``);
    Markdown punctuation (backslash, backticks, ``*``, ``_``, brackets, parentheses,
    braces, ``|``, ``~``, ``!``, ``#``) gets a backslash; line breaks become spaces; a
    leading ``-``, ``+``, ``=`` or ``1.`` / ``1)`` is escaped (no list, no underline); and
    the ``:`` of ``://`` and the ``.`` of ``www.`` get a backslash, so that GFM's autolink
    extension shows a URL as text, never as a link.

    Args:
        text: Any text from a user or the API.

    Returns:
        Markdown whose rendering is ``text`` (line breaks as spaces).
    """
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    out: list[str] = []
    last = len(flat) - 1
    for index, char in enumerate(flat):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char == "_" and 0 < index < last and flat[index - 1].isalnum():
            out.append("_" if flat[index + 1].isalnum() else "\\_")
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        elif char == ":" and flat.startswith("//", index + 1):
            out.append("\\:")
        elif char == "." and index >= 3 and flat[index - 3 : index].lower() == "www":
            out.append("\\.")
        else:
            out.append(char)
    escaped = "".join(out)
    stripped = escaped.lstrip(" ")
    indent = escaped[: len(escaped) - len(stripped)]
    if stripped[:1] in _LINE_START:
        return f"{indent}\\{stripped}"
    digits = len(stripped) - len(stripped.lstrip("0123456789"))
    if digits and stripped[digits : digits + 1] in (".", ")"):
        return f"{indent}{stripped[:digits]}\\{stripped[digits:]}"
    return escaped


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet reads as data, never as a formula.

    A string starting with one of :data:`FORMULA_STARTS` gets a leading ``'`` (OWASP's
    CSV-injection rule); anything else, numbers included (``-0.5`` stays a number), is
    returned as it is.

    Args:
        value: The cell.

    Returns:
        The cell, neutralised when it is text that would start a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_RATE_FIELDS = ("mention_rate", "share_of_voice", "answer_share", "citation_rate")
_JUDGED_FIELDS = ("positive_rate", "negative_rate", "recommended_rate")
"""The sentiment rates, in the records of a judged run only."""


def metrics_records(rows: Sequence[VisibilityRow]) -> list[dict[str, Any]]:
    """Flat records: one per (slice, tracked brand), the brand's numbers as columns.

    Args:
        rows: Rows from ``metrics``.

    Returns:
        Records with the slice keys (``surface`` always: ``api`` for a run without app
        tasks), ``brand``, ``is_panel_brand``, the slice's counts and
        for each rate (``mention_rate``, ``share_of_voice``, ``answer_share``,
        ``citation_rate``) ``<rate>``, ``<rate>_low`` and ``<rate>_high`` (95% Wilson,
        answer level), ``<rate>_prompt_low`` and ``<rate>_prompt_high`` (95% prompt level,
        answers clustered by prompt; empty with fewer than 2 prompts), ``<rate>_n``; the
        same for ``positive_rate``, ``negative_rate`` and ``recommended_rate`` when the run
        was judged.
    """
    out = []
    for row in rows:
        for name, numbers in row.brands.items():
            record: dict[str, Any] = dict(row.key)
            record.setdefault("surface", row.surface)
            record.update(
                brand=name,
                is_panel_brand=name == row.brand,
                answers=row.answers,
                failed=row.failed,
                pending=row.pending,
                answers_naming_any=row.answers_naming_any,
                answers_citing_any=row.answers_citing_any,
            )
            judged = [f for f in _JUDGED_FIELDS if getattr(numbers, f) is not None]
            for field in (*_RATE_FIELDS, *judged):
                value = getattr(numbers, field)
                record[field] = value.value
                record[f"{field}_low"] = value.low
                record[f"{field}_high"] = value.high
                record[f"{field}_prompt_low"] = value.prompt_low
                record[f"{field}_prompt_high"] = value.prompt_high
                record[f"{field}_n"] = value.n
            record["average_position"] = numbers.average_position
            out.append(record)
    return out


def metrics_json(rows: Sequence[VisibilityRow]) -> str:
    """The rows as a JSON document (a list of objects, intervals included).

    Args:
        rows: Rows from ``metrics``.

    Returns:
        Indented JSON text.
    """
    return json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False)


def _csv(records: Sequence[dict[str, Any]]) -> str:
    """CSV text; a text cell that would start a formula gets a leading ``'``."""
    buffer = io.StringIO()
    columns: list[str] = []
    for record in records:
        columns.extend(key for key in record if key not in columns)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) for key, value in r.items()} for r in records)
    return buffer.getvalue()


def metrics_csv(rows: Sequence[VisibilityRow]) -> str:
    """The rows as CSV (:func:`metrics_records`, one line per slice and brand).

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a
    brand named ``=HYPERLINK(...)``) is written with a leading ``'``, so that a spreadsheet
    shows it as text instead of running it as a formula; numbers are written as they are.

    Args:
        rows: Rows from ``metrics``.

    Returns:
        CSV text with a header line.
    """
    return _csv(metrics_records(rows))


def answer_records(store: VisibilityStore, run_id: str) -> list[dict[str, Any]]:
    """One record per task of a run: status, brands named with ranks, citations, text.

    Args:
        store: The store.
        run_id: The run.

    Returns:
        Records with ``tag``, ``prompt``, ``engine``, ``surface``, ``model``, ``sample``,
        ``status``, ``error_code``, ``task_id``, ``cost``, ``answer_model``, ``brands`` (a
        list of ``{"name": ..., "rank": ...}`` in rank order: the tracked brands the answer
        names), ``cited_domains`` and ``fan_out_queries`` (lists of strings, in the
        answer's order) and ``text`` (the answer). :func:`answers_json` writes them as
        they are; :func:`answers_csv` joins the lists into one cell each.
    """
    conn = store.connection
    tasks = store.tasks(run_id)
    named: dict[str, list[dict[str, Any]]] = {}
    for tag, brand, rank in conn.execute(
        "SELECT t.tag, m.brand, m.rank FROM mentions m JOIN tasks t ON t.id = m.task "
        "WHERE t.run_id = ? ORDER BY t.tag, m.rank, m.brand",
        (run_id,),
    ):
        named.setdefault(tag, []).append({"name": brand, "rank": rank})
    cited: dict[str, list[str]] = {}
    for tag, domain in conn.execute(
        "SELECT t.tag, c.domain FROM citations c JOIN tasks t ON t.id = c.task "
        "WHERE t.run_id = ? ORDER BY t.tag, c.seq",
        (run_id,),
    ):
        cited.setdefault(tag, []).append(domain)
    out = []
    for task in tasks:
        text = ""
        fan_out: tuple[str, ...] = ()
        if task.status == "measured":
            raw = store.raw_task(run_id, task.tag) or {}
            answer = extract_for(raw, task.surface, task.engine)
            text, fan_out = answer.text, answer.fan_out_queries
        out.append(
            {
                "tag": task.tag,
                "prompt": task.prompt,
                "engine": task.engine,
                "surface": task.surface,
                "model": task.model,
                "sample": task.sample,
                "status": task.status,
                "error_code": task.error_code,
                "task_id": task.task_id,
                "cost": task.cost,
                "answer_model": task.answer_model,
                "brands": named.get(task.tag, []),
                "cited_domains": cited.get(task.tag, []),
                "fan_out_queries": list(fan_out),
                "text": text,
            }
        )
    return out


def _joined(record: dict[str, Any]) -> dict[str, Any]:
    """A record's lists as one CSV cell each: ``name:rank;...`` for brands, ``a;b`` else."""
    out = dict(record)
    out["brands"] = ";".join(f"{b['name']}:{b['rank']}" for b in record["brands"])
    out["cited_domains"] = ";".join(record["cited_domains"])
    out["fan_out_queries"] = ";".join(record["fan_out_queries"])
    return out


def answers_csv(store: VisibilityStore, run_id: str) -> str:
    """A run's answers as CSV (:func:`answer_records`).

    The lists are joined into one cell each: ``brands`` as ``name:rank`` joined by ``;``
    (``HubSpot:1;Salesforce:2``), ``cited_domains`` and ``fan_out_queries`` joined by ``;``.
    Text cells that would start a formula (answer text, prompts, fan-out queries, brands...)
    get a leading ``'`` as in :func:`metrics_csv`; numbers are written as they are.

    Args:
        store: The store.
        run_id: The run.

    Returns:
        CSV text with a header line.
    """
    return _csv([_joined(record) for record in answer_records(store, run_id)])


def answers_json(store: VisibilityStore, run_id: str) -> str:
    """A run's answers as JSON (:func:`answer_records`).

    Brands, cited domains and fan-out queries are JSON lists
    (``"brands": [{"name": "HubSpot", "rank": 1}]``), not joined strings.

    Args:
        store: The store.
        run_id: The run.

    Returns:
        Indented JSON text.
    """
    return json.dumps(answer_records(store, run_id), indent=2, ensure_ascii=False)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text, creating the parent directory.

    Args:
        path: The file.
        text: The content.

    Returns:
        The path.
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def to_pandas(rows: Sequence[VisibilityRow]) -> Any:
    """The rows as a ``pandas.DataFrame`` (:func:`metrics_records`), when pandas is installed.

    Args:
        rows: Rows from ``metrics``.

    Returns:
        A DataFrame, one line per slice and brand.

    Raises:
        ImportError: When pandas is not installed (it is not a dependency).
    """
    try:
        pandas = importlib.import_module("pandas")
    except ImportError as error:
        msg = (
            "to_pandas needs pandas, which langchain-dataforseo does not install: "
            "pip install pandas (or use metrics_csv / metrics_json)."
        )
        raise ImportError(msg) from error
    return pandas.DataFrame.from_records(metrics_records(rows))


_PARQUET_BATCH = 5000
"""Tasks per batch written to ``answers.parquet`` (a large run is never held whole)."""


def _pyarrow() -> tuple[Any, Any]:
    """``pyarrow`` and ``pyarrow.parquet``, or an ImportError naming the extra."""
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError as error:
        msg = (
            "export_parquet needs pyarrow: pip install 'langchain-dataforseo[parquet]' "
            "(or use answers_csv / answers_json)."
        )
        raise ImportError(msg) from error
    return pa, pq


def _answer_schema(pa: Any) -> Any:
    """The columns of ``answers.parquet`` (``docs/export_and_dashboards.md``)."""
    stamp = pa.timestamp("ms", tz="UTC")
    return pa.schema(
        [
            ("run_id", pa.string()),
            ("tag", pa.string()),
            ("task_id", pa.string()),
            ("engine", pa.string()),
            ("surface", pa.string()),
            ("model", pa.string()),
            ("answer_model", pa.string()),
            ("prompt_index", pa.int32()),
            ("prompt", pa.string()),
            ("sample", pa.int32()),
            ("status", pa.string()),
            ("error_code", pa.int32()),
            ("error", pa.string()),
            ("cost", pa.float64()),
            ("created_at", stamp),
            ("finished_at", stamp),
            ("text", pa.string()),
            (
                "brands",
                pa.list_(pa.struct([("name", pa.string()), ("rank", pa.int32())])),
            ),
            ("cited_domains", pa.list_(pa.string())),
            ("fan_out_queries", pa.list_(pa.string())),
        ]
    )


def _stamp(value: str | None) -> datetime | None:
    """A stored ISO 8601 time as a datetime (``None`` stays ``None``)."""
    return datetime.fromisoformat(value) if value else None


def _answer_batches(store: VisibilityStore, run_id: str) -> Iterator[list[dict[str, Any]]]:
    """The run's tasks as ``answers.parquet`` records, a batch at a time, in row order."""
    conn = store.connection
    last = -1
    while True:
        rows = conn.execute(
            "SELECT id, tag, task_id, engine, surface, model, answer_model, prompt_index, "
            "prompt, sample, status, error_code, error_message, cost, created_at, "
            "finished_at, raw_json FROM tasks WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
            (run_id, last, _PARQUET_BATCH),
        ).fetchall()
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        named: dict[int, list[dict[str, Any]]] = {}
        for task, brand, rank in conn.execute(
            "SELECT task, brand, rank FROM mentions WHERE task >= ? AND task <= ? "
            "ORDER BY task, rank, brand",
            (first, last),
        ):
            named.setdefault(task, []).append({"name": brand, "rank": rank})
        cited: dict[int, list[str]] = {}
        for task, domain in conn.execute(
            "SELECT task, domain FROM citations WHERE task >= ? AND task <= ? ORDER BY task, seq",
            (first, last),
        ):
            cited.setdefault(task, []).append(domain)
        batch = []
        for row in rows:
            text, fan_out = None, []
            if row[10] == "measured" and row[16] is not None:
                answer = extract_for(json.loads(row[16]), row[4], row[3])
                text, fan_out = answer.text, list(answer.fan_out_queries)
            batch.append(
                {
                    "run_id": run_id,
                    "tag": row[1],
                    "task_id": row[2],
                    "engine": row[3],
                    "surface": row[4],
                    "model": row[5],
                    "answer_model": row[6],
                    "prompt_index": row[7],
                    "prompt": row[8],
                    "sample": row[9],
                    "status": row[10],
                    "error_code": row[11],
                    "error": row[12],
                    "cost": row[13],
                    "created_at": _stamp(row[14]),
                    "finished_at": _stamp(row[15]),
                    "text": text,
                    "brands": named.get(row[0], []),
                    "cited_domains": cited.get(row[0], []),
                    "fan_out_queries": fan_out,
                }
            )
        yield batch


_METRIC_COLUMNS = (
    ("run_id", "string"),
    ("engine", "string"),
    ("surface", "string"),
    ("model", "string"),
    ("prompt", "string"),
    ("brand", "string"),
    ("is_panel_brand", "bool_"),
    ("domain", "string"),
    ("metric", "string"),
    ("value", "float64"),
    ("successes", "int64"),
    ("n", "int64"),
    ("low", "float64"),
    ("high", "float64"),
    ("prompt_low", "float64"),
    ("prompt_high", "float64"),
    ("answers", "int64"),
    ("failed", "int64"),
    ("pending", "int64"),
    ("cost", "float64"),
)
"""The columns of ``metrics.parquet`` and their Arrow types."""


def metric_facts(run_id: str, rows: Sequence[VisibilityRow]) -> list[dict[str, Any]]:
    """Long records of ``metrics`` rows: one per (slice, brand, metric) and cited domain.

    Args:
        run_id: The run.
        rows: Rows from ``metrics``.

    Returns:
        Records with the columns of ``metrics.parquet`` (``docs/export_and_dashboards.md``):
        per tracked brand ``mention_rate``, ``share_of_voice``, ``answer_share``,
        ``citation_rate`` (and the judged rates of a judged run) with their counts and
        both intervals, ``average_position`` (value only); per cited domain
        ``citation_share`` (``successes`` citations of it out of ``n``).
    """
    out = []
    for row in rows:
        slice_ = {
            "run_id": run_id,
            "engine": row.key.get("engine"),
            "surface": row.surface,
            "model": row.key.get("model"),
            "prompt": row.key.get("prompt"),
            "answers": row.answers,
            "failed": row.failed,
            "pending": row.pending,
            "cost": row.cost,
        }
        for name, numbers in row.brands.items():
            brand = {**slice_, "brand": name, "is_panel_brand": name == row.brand}
            for field in (*_RATE_FIELDS, *_JUDGED_FIELDS):
                value = getattr(numbers, field)
                if value is None:
                    continue
                out.append(
                    {
                        **brand,
                        "metric": field,
                        "value": value.value,
                        "successes": value.successes,
                        "n": value.n,
                        "low": value.low,
                        "high": value.high,
                        "prompt_low": value.prompt_low,
                        "prompt_high": value.prompt_high,
                    }
                )
            out.append({**brand, "metric": "average_position", "value": numbers.average_position})
        for domain, count in row.citation_counts.items():
            out.append(
                {
                    **slice_,
                    "domain": domain,
                    "metric": "citation_share",
                    "value": count / row.citations,
                    "successes": count,
                    "n": row.citations,
                }
            )
    return out


def export_parquet(
    store: VisibilityStore,
    run_id: str,
    folder: str | Path,
    *,
    by: Sequence[str] = ("engine",),
) -> tuple[Path, Path]:
    """Write a run's answers and metrics as Parquet files (for DuckDB, BigQuery, pandas).

    ``answers.parquet`` has one row per task of the run, pending and failed ones included
    with their status; ``metrics.parquet`` has the run's :func:`metrics` in long form, one
    row per (slice, brand, metric) and per cited domain. Columns:
    ``docs/export_and_dashboards.md``. Needs the ``parquet`` extra (pyarrow).

    Args:
        store: The store.
        run_id: The run.
        folder: Where to write (created with its parents when missing); files of the same
            names there are replaced.
        by: The slices of ``metrics.parquet`` (as for :func:`metrics`).

    Returns:
        The paths of ``answers.parquet`` and ``metrics.parquet``.

    Raises:
        ImportError: When pyarrow is not installed.
        VisibilityStoreError: For an unknown run id or slice key.
    """
    pa, pq = _pyarrow()
    store.check_run(run_id)
    rows = metrics(store, run_id, by)  # an unknown slice key is refused before any file
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    answers_path = out / "answers.parquet"
    schema = _answer_schema(pa)
    with pq.ParquetWriter(answers_path, schema) as writer:
        for batch in _answer_batches(store, run_id):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    metrics_schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in _METRIC_COLUMNS])
    metrics_path = out / "metrics.parquet"
    table = pa.Table.from_pylist(metric_facts(run_id, rows), schema=metrics_schema)
    pq.write_table(table, metrics_path)
    return answers_path, metrics_path
