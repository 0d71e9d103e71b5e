"""Panels on both surfaces: settings, store schema, journal families, app-answer matching."""

from __future__ import annotations

import sqlite3

import pytest

from langchain_dataforseo import DataForSEOInputError
from langchain_dataforseo._standard.handle import TaskHandle
from langchain_dataforseo._standard.journal import created_record, intent_record
from langchain_dataforseo.visibility import (
    Panel,
    PanelFileError,
    StoreJournal,
    VisibilityStore,
    VisibilityStoreError,
    make_tag,
    metrics,
)
from langchain_dataforseo.visibility._matching import extract_app_answer
from langchain_dataforseo.visibility._schema import _V1, SCHEMA_VERSION

from .builders import raw_task

SCRAPER = ("chat_gpt", "gemini")
ENGINES = {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash", "perplexity": "sonar"}


def panel(**extra):
    return Panel(
        "crm",
        ["Which CRM for an agency?", "Best free CRM?"],
        {"name": "HubSpot", "domains": ["hubspot.com"]},
        ["Salesforce"],
        extra.pop("engines", {"chat_gpt": "gpt-4.1-mini", "gemini": "gemini-2.5-flash"}),
        samples=2,
        **extra,
    )


def test_surfaces_default_to_api_and_leave_the_panel_shape_unchanged():
    plain = panel()
    assert plain.surfaces == ("api",)
    assert "surfaces" not in plain.to_dict()
    assert "app_settings" not in plain.to_dict()
    both = panel(surfaces=["app", "api"], app_settings={"language_code": "de"})
    assert both.surfaces == ("api", "app")
    assert Panel.from_dict(both.to_dict()) == both
    assert len(both.task_keys) == 2 * 2 * 2 * 2
    assert {(k[1], k[2]) for k in both.task_keys} == {
        (e, s) for e in ("chat_gpt", "gemini") for s in ("api", "app")
    }


@pytest.mark.parametrize(
    ("extra", "field", "limit", "actual"),
    [
        (
            {"engines": ENGINES, "surfaces": ["app"]},
            "surfaces",
            ("chat_gpt", "gemini"),
            "perplexity",
        ),
        (
            {
                "engines": ENGINES,
                "surfaces": ["api", "app"],
                "engine_surfaces": {"claude": ["api"]},
            },
            "engine_surfaces.claude",
            ("chat_gpt", "gemini", "perplexity"),
            "claude",
        ),
        (
            {"engines": {"claude": "claude-sonnet-4-0"}, "engine_surfaces": {"claude": ["app"]}},
            "engine_surfaces.claude",
            SCRAPER,
            "claude",
        ),
        ({"surfaces": ["web"]}, "surfaces[0]", ("api", "app"), "web"),
        ({"surfaces": ["app", "app"]}, "surfaces[1]", "unique", "app"),
        ({"surfaces": []}, "surfaces", ("api", "app"), []),
        (
            {"surfaces": ["app"], "app_settings": {"country": "US"}},
            "app_settings.country",
            None,
            "country",
        ),
    ],
)
def test_a_bad_surface_setting_is_refused_at_construction(extra, field, limit, actual):
    with pytest.raises(DataForSEOInputError) as info:
        panel(**extra)
    assert info.value.field == field
    if limit is not None:
        assert info.value.limit == limit
    assert info.value.actual == actual


def test_app_settings_are_checked_with_the_scrapers_rules_for_each_engine():
    with pytest.raises(DataForSEOInputError) as info:  # a Gemini-only field, asked of ChatGPT
        panel(surfaces=["app"], app_settings={"location_coordinate": "40.7,-74.0,500"})
    assert info.value.field == "app_settings.location_coordinate"
    assert "chat_gpt" in str(info.value)
    # a name with a code is allowed since issue 19 (point 7: the docs do not forbid both)
    panel(surfaces=["app"], app_settings={"location_code": 2840, "location_name": "France"})
    with pytest.raises(DataForSEOInputError) as info:
        panel(surfaces=["app"], app_settings={"location_code": 0})
    assert info.value.field == "app_settings.location_code"
    only_gemini = panel(
        engines={"gemini": "gemini-2.5-flash"},
        surfaces=["app"],
        app_settings={"location_coordinate": "40.7,-74.0,500", "force_web_search": True},
    )
    assert only_gemini.app_settings["force_web_search"] is True  # not sent to Gemini


def test_a_panel_file_error_on_surfaces_names_the_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        'name = "crm"\nprompts = ["Which CRM?"]\nsurfaces = ["api", "app"]\n'
        '[brand]\nname = "HubSpot"\n[engines]\nchat_gpt = "gpt-4.1-mini"\nperplexity = "sonar"\n'
    )
    with pytest.raises(PanelFileError) as info:
        Panel.from_file(path)
    assert info.value.field == "surfaces"
    assert info.value.line == 3
    assert "perplexity" in str(info.value)


def test_tags_are_unique_per_surface_and_stable():
    # the tags runs stored before the digest (they still resume with them)
    assert make_tag("r", 1, "chat_gpt", 2) == "r:p1:chat_gpt:s2"
    assert make_tag("r", 1, "chat_gpt", 2, "app") == "r:p1:chat_gpt:app:s2"
    body = {"model_name": "gpt-4.1-mini", "user_prompt": "Which CRM?"}
    tag = make_tag("r", 1, "chat_gpt", 2, body=body)
    assert tag == make_tag("r", 1, "chat_gpt", 2, body=dict(reversed(body.items())))
    assert tag.startswith("r:p1:chat_gpt:s2:")
    assert len(tag.rsplit(":", 1)[1]) == 10


def test_create_run_plans_one_task_per_prompt_engine_surface_sample(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        both = panel(surfaces=["api", "app"])
        run = store.create_run(both, run_id="r")
        tasks = store.tasks(run)
        assert len(tasks) == len({t.tag for t in tasks}) == 16
        app = [t for t in tasks if t.surface == "app"]
        assert len(app) == 8
        assert all(":app:" in t.tag and t.model == "llm_scraper" for t in app)
        assert store.create_run(both, run_id="r") == "r"  # resumed: same tasks
        assert [t.tag for t in store.tasks(run)] == [t.tag for t in tasks]


def test_a_database_of_the_old_schema_opens_with_its_tasks_on_the_api_surface(tmp_path):
    path = tmp_path / "old.db"
    old = panel()
    conn = sqlite3.connect(path)
    for statement in _V1:
        conn.execute(statement)
    conn.execute("INSERT INTO schema_migrations VALUES (1, '2026-01-01')")
    conn.execute("PRAGMA user_version = 1")
    import json

    conn.execute(
        "INSERT INTO runs VALUES ('old', 'crm', ?, 'standard', '2026-01-01', NULL)",
        (json.dumps(old.to_dict(), sort_keys=True, ensure_ascii=False),),
    )
    conn.execute(
        "INSERT INTO tasks (id, run_id, tag, prompt_index, prompt, engine, model, sample, status, "
        "named_count, created_at) VALUES (7, 'old', 'old:p0:chat_gpt:s0', 0, ?, 'chat_gpt', "
        "'gpt-4.1-mini', 0, 'measured', 1, '2026-01-01')",
        (old.prompts[0],),
    )
    conn.execute("INSERT INTO mentions VALUES (7, 'HubSpot', 0, 1)")
    conn.commit()
    conn.close()
    with VisibilityStore(path, readonly=True) as store:  # a read-only open migrates first
        (task,) = store.tasks("old")
        assert (task.surface, task.tag, task.status) == ("api", "old:p0:chat_gpt:s0", "measured")
        (row,) = metrics(store, "old")
        assert row.key == {"engine": "chat_gpt"}
        assert row.surface == "api"
        assert row.mention_rate.successes == 1  # the facts still point at the task
    with VisibilityStore(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.create_run(old, run_id="old") == "old"  # the old run resumes


def test_store_journals_keep_the_two_families_apart(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = store.create_run(panel(surfaces=["api", "app"]), run_id="r")
        api = next(t.tag for t in store.tasks(run) if t.surface == "api")
        app = next(t.tag for t in store.tasks(run) if t.surface == "app")
        scraper = StoreJournal(store, run, family="llm_scraper", prepaid=0.005)
        responses = StoreJournal(store, run)
        with pytest.raises(VisibilityStoreError, match="llm_responses journal record cannot go"):
            scraper.append(intent_record("chat_gpt", [app]))  # an LLM Responses record
        with pytest.raises(VisibilityStoreError, match="api-surface task"):
            scraper.append(intent_record("chat_gpt", [api], family="llm_scraper"))
        with pytest.raises(VisibilityStoreError, match="app-surface task"):
            responses.append(intent_record("chat_gpt", [app]))
        task_id = "55555555-5555-5555-5555-555555555555"
        handle = TaskHandle(id=task_id, engine="chat_gpt", tag=app)
        scraper.append(created_record([handle], family="llm_scraper"))
        responses.append(intent_record("chat_gpt", [api]))
        assert [r["family"] for r in scraper.records()] == ["llm_scraper"]
        assert scraper.records()[0]["handles"][0]["tag"] == app
        assert [(r["event"], r["family"], r["tags"]) for r in responses.records()] == [
            ("intent", "llm_responses", [api])
        ]
        assert store.posted(run)[0].cost == 0.005


def app_task(markdown, cited, found, queries=("crm for agencies",)):
    return {
        "id": "12021200-1535-0612-0000-000000000009",
        "status_code": 20000,
        "cost": 0.0012,
        "result": [
            {
                "markdown": markdown,
                "model": "gpt-5",
                "sources": [{"type": "source", "url": u, "title": "t"} for u in cited],
                "search_results": [
                    {"type": "search_result", "url": u, "title": "t"} for u in [*cited, *found]
                ],
                "fan_out_queries": list(queries),
                "items": [{"type": "chat_gpt_text", "markdown": markdown}],
            }
        ],
    }


def test_app_answers_count_only_cited_sources_and_names_outside_urls(tmp_path):
    task = app_task(
        "1. **HubSpot** – good [salesforce.com](https://www.salesforce.com/crm)\nSee more.",
        cited=["https://www.salesforce.com/crm"],
        found=["https://blog.hubspot.com/found", "https://g2.com/x"],
    )
    answer = extract_app_answer(task)
    assert answer.urls == ("https://www.salesforce.com/crm",)  # found-only results left out
    assert answer.model_name == "gpt-5"
    assert answer.fan_out_queries == ("crm for agencies",)
    with VisibilityStore(tmp_path / "v.db") as store:
        run = store.create_run(
            Panel(
                "crm",
                ["Which CRM?"],
                {"name": "HubSpot", "domains": ["hubspot.com"]},
                [{"name": "Salesforce", "domains": ["salesforce.com"]}],
                {"chat_gpt": "gpt-4.1-mini"},
                samples=1,
                surfaces=["api", "app"],
            ),
            run_id="r",
        )
        api_tag, app_tag = (t.tag for t in store.tasks(run))
        store.record_results(run, [(app_tag, task, None), (api_tag, raw_task("Nothing."), None)])
        rows = {row.surface: row for row in metrics(store, run)}
        app = rows["app"]
        assert app.key == {"engine": "chat_gpt", "surface": "app"}
        assert app.brands["HubSpot"].mention_rate.successes == 1
        assert app.brands["Salesforce"].mention_rate.successes == 0  # only in a URL chip
        assert app.citation_counts == {"salesforce.com": 1}  # hubspot.com was only found
        assert app.brands["HubSpot"].citation_rate.successes == 0
        assert app.fan_out_queries == [("crm for agencies", 1)]
        assert rows["api"].brands["HubSpot"].mention_rate.successes == 0
        assert store.raw_task(run, app_tag) == task  # the full raw task is kept
        assert store.tasks(run)[1].answer_model == "gpt-5"
