"""Exports of metrics and answers: JSON, CSV, and pandas when it is installed."""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_dataforseo.visibility._app_answers import extract_for
from langchain_dataforseo.visibility._escape import spreadsheet_safe
from langchain_dataforseo.visibility._metrics import VisibilityRow
from langchain_dataforseo.visibility._store import VisibilityStore

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
