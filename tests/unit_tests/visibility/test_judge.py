"""judge_run: sentiment judged by a chat model, against the emulator's planted truth."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda

from langchain_dataforseo import ChatDataForSEO
from langchain_dataforseo.emulator import BrandCatalogue, CatalogueBrand
from langchain_dataforseo.emulator._responses import ValidTask, generate_result, validate_task
from langchain_dataforseo.visibility import (
    JUDGE_PROMPT_VERSION,
    Panel,
    VisibilityStore,
    VisibilityStoreError,
    estimate_judging,
    judge_run,
    metrics,
    trend,
)
from langchain_dataforseo.visibility._judge import (
    MAX_JUDGE_PROMPT_CHARS,
    Verdict,
    excerpt,
    judge_prompt,
    parse_verdict,
)

SENTIMENT = {
    "HubSpot": ({"positive": 0.6, "neutral": 0.3, "negative": 0.1}, 0.7),
    "Salesforce": ({"positive": 0.3, "neutral": 0.4, "negative": 0.3}, 0.4),
    "Pipedrive": ({"positive": 0.2, "neutral": 0.3, "negative": 0.5}, 0.2),
}


def catalogue(planted: bool = True, seed: int = 11) -> BrandCatalogue:
    brands = []
    for name, p, aliases in (
        ("HubSpot", 0.7, ("HubSpot CRM",)),
        ("Salesforce", 0.55, ()),
        ("Pipedrive", 0.5, ()),
    ):
        sentiment, recommend = SENTIMENT[name] if planted else (None, None)
        brands.append(
            CatalogueBrand(name, p, aliases, sentiment=sentiment, recommend_probability=recommend)
        )
    return BrandCatalogue(tuple(brands), seed=seed, prompt_pattern=r"\bcrm\b")


PROMPTS = [
    "Which CRM do you recommend for a 10-person agency?",
    "What is the best CRM for small businesses?",
    "Compare CRM tools for a sales team of five.",
    "Which CRM has the best free plan?",
]


def emulated_run(
    store: VisibilityStore, run_id: str, samples: int, cat: BrandCatalogue | None = None
) -> str:
    """A run whose answers come straight from the emulator's answer function."""
    panel = Panel(
        "crm",
        PROMPTS,
        {"name": "HubSpot", "aliases": ["HubSpot CRM"]},
        ["Salesforce", "Pipedrive"],
        {"chat_gpt": "gpt-4.1-mini"},
        samples=samples,
    )
    run = store.create_run(panel, run_id=run_id)
    results = []
    for task in store.tasks(run):
        fields = {"user_prompt": task.prompt, "model_name": task.model, "tag": task.tag}
        valid = validate_task("chat_gpt", "live", fields)
        assert isinstance(valid, ValidTask)
        result = generate_result("chat_gpt", valid, 0.0, cat or catalogue())
        results.append((task.tag, {"id": task.tag, "status_code": 20000, "result": [result]}, None))
    store.record_results(run, results)
    return run


_ASKED = re.compile(r"the brand (.+?)(?: \(also written (.+?)\))?\? Reply")


def read_cue(prompt: str) -> dict[str, Any]:
    """What a careful reader makes of the planted cue after the brand's name."""
    found = _ASKED.search(prompt)
    assert found is not None, prompt
    names = sorted({found.group(1), *(found.group(2) or "").split(", ")} - {""}, key=len)
    text = prompt.split("Excerpt: ", 1)[1]
    named = re.search("|".join(re.escape(n) for n in reversed(names)), text, re.I)
    assert named is not None, (names, text)
    after = text[named.end() :].lstrip("*")
    said = after.split("**", 1)[0].lower()
    sentiment = (
        "positive"
        if "excellent choice" in said
        else "negative"
        if "poor fit" in said
        else "neutral"
    )
    recommended = "would not recommend" not in said and "i recommend it" in said
    return {"sentiment": sentiment, "recommended": recommended}


class CueJudge(BaseChatModel):
    """A fake judge that reads the emulator's planted cue; no tool calling (text JSON)."""

    model_name: str = "cue-reader"
    cost: float | None = None
    style: str = "fenced"  # "fenced": prose and a ```json block; "junk": no JSON; "flip"
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "cue-judge"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.calls += 1
        assert len(messages[-1].text) <= MAX_JUDGE_PROMPT_CHARS
        verdict = read_cue(messages[-1].text)
        if self.style == "flip":
            verdict["recommended"] = not verdict["recommended"]
        text = f"Here is my reading:\n```json\n{json.dumps(verdict)}\n```"
        if self.style == "junk":
            text = "I cannot tell."
        meta = {"cost": self.cost} if self.cost is not None else {}
        message = AIMessage(text, response_metadata=meta)
        return ChatResult(generations=[ChatGeneration(message=message)])


class StructuredJudge(CueJudge):
    """A judge whose with_structured_output works (returns a Verdict and the raw message)."""

    structured_calls: int = 0

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kw: Any) -> Any:
        assert schema is Verdict
        assert include_raw

        def call(messages: list[BaseMessage]) -> dict[str, Any]:
            self.structured_calls += 1
            verdict = read_cue(messages[-1].text)
            raw = AIMessage("(structured)", response_metadata={"cost": 0.001})
            return {"raw": raw, "parsed": Verdict(**verdict), "parsing_error": None}

        return RunnableLambda(call)


def test_judged_rates_cover_the_planted_truth(tmp_path):
    """600 emulated answers judged by a reader of the planted cue: every sentiment rate's
    two 95% intervals cover the catalogue's truth (seed 11); the mention rates are those
    of the same catalogue without planted sentiment (planting changes no other draw)."""
    truth = catalogue().truth("chat_gpt")
    with VisibilityStore(tmp_path / "plain.db") as store:
        plain = emulated_run(store, "judged", samples=150, cat=catalogue(planted=False))
        (plain_row,) = metrics(store, plain)
    with VisibilityStore(tmp_path / "v.db") as store:
        run = emulated_run(store, "judged", samples=150)
        result = judge_run(store, run, CueJudge())
        (row,) = metrics(store, run)
        (trend_row,) = trend(store, "crm")
    assert result.judged == sum(r.mention_rate.successes for r in row.brands.values())
    assert (result.already, result.stopped, result.unpriced) == (0, False, result.judged)
    assert row.judge == ("cue-reader", JUDGE_PROMPT_VERSION)
    assert plain_row.judge is None
    assert plain_row.positive_rate is None
    for name, numbers in row.brands.items():
        assert numbers.mention_rate == plain_row.brands[name].mention_rate
        for field in ("positive_rate", "negative_rate", "recommended_rate"):
            measured, expected = getattr(numbers, field), truth[field][name]
            assert measured.n == numbers.mention_rate.successes > 150
            assert measured.low <= expected <= measured.high, (name, field, measured)
            assert measured.prompt_low <= expected <= measured.prompt_high, (name, field)
    assert trend_row.positive_rate == row.positive_rate
    assert trend_row.as_dict()["brands"]["HubSpot"]["recommended_rate"]["n"] > 150


def test_judging_with_another_model_keeps_both_verdicts(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = emulated_run(store, "r", samples=3)
        first = judge_run(store, run, CueJudge(model_name="judge-a"))
        second = judge_run(store, run, CueJudge(model_name="judge-b", style="flip"))
        again = judge_run(store, run, CueJudge(model_name="judge-a"))
        count = store.connection.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
        (latest,) = metrics(store, run)
        (by_a,) = metrics(store, run, judge="judge-a")
        with pytest.raises(VisibilityStoreError, match="judge-c"):
            metrics(store, run, judge="judge-c")
    assert first.judged == second.judged > 0
    assert count == 2 * first.judged
    assert (again.judged, again.already) == (0, first.judged)
    assert latest.judge == ("judge-b", JUDGE_PROMPT_VERSION)
    assert by_a.judge == ("judge-a", JUDGE_PROMPT_VERSION)
    a, b = by_a.recommended_rate, latest.recommended_rate
    assert a is not None
    assert b is not None
    assert a.n == b.n
    assert a.successes + b.successes == a.n  # the flipping judge disagrees on every answer


def test_json_is_read_from_text_without_structured_output_and_used_where_it_exists(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = emulated_run(store, "r", samples=2)
        text_judge, structured = CueJudge(), StructuredJudge(model_name="structured")
        by_text = judge_run(store, run, text_judge)
        by_schema = judge_run(store, run, structured)
        rows = store.connection.execute(
            "SELECT judge, sentiment, recommended, cost FROM verdicts ORDER BY task, brand, judge"
        ).fetchall()
    assert text_judge.calls == by_text.judged > 0
    assert structured.structured_calls == by_schema.judged
    assert structured.calls == 0
    assert by_schema.cost == pytest.approx(0.001 * by_schema.judged)
    # both paths read the same verdicts
    pairs = [rows[i : i + 2] for i in range(0, len(rows), 2)]
    assert all(x[1:3] == y[1:3] for x, y in pairs)
    assert {r[3] for r in rows if r[0] == "cue-reader"} == {None}


def test_parse_verdict_reads_json_in_prose_and_says_what_is_wrong():
    assert parse_verdict(
        'Sure. {"sentiment": "Positive", "recommended": "true"} Hope it helps'
    ) == (
        "positive",
        True,
    )
    with pytest.raises(ValueError, match="no JSON object"):
        parse_verdict("It is positive.")
    with pytest.raises(ValueError, match="sentiment must be one of"):
        parse_verdict('{"sentiment": "great", "recommended": true}')
    with pytest.raises(ValueError, match="recommended must be true or false"):
        parse_verdict('{"sentiment": "neutral", "recommended": "maybe"}')


def test_an_unreadable_verdict_names_the_answer_and_keeps_what_was_judged(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = emulated_run(store, "r", samples=2)
        first_tag = store.connection.execute(
            "SELECT t.tag, m.brand FROM mentions m JOIN tasks t ON t.id = m.task "
            "ORDER BY t.id, m.rank, m.brand LIMIT 1"
        ).fetchone()
        with pytest.raises(VisibilityStoreError) as caught:
            judge_run(store, run, CueJudge(style="junk"))
    message = str(caught.value)
    assert first_tag[0] in message
    assert repr(first_tag[1]) in message
    assert "no JSON object" in message
    assert "I cannot tell." in message


def test_max_cost_stops_the_judging_and_a_second_call_resumes(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = emulated_run(store, "r", samples=3)
        judge = CueJudge(cost=0.01)
        stopped = judge_run(store, run, judge, max_cost=0.035)
        rest = judge_run(store, run, judge)
        cost = store.connection.execute("SELECT SUM(cost) FROM verdicts").fetchone()[0]
        with pytest.raises(VisibilityStoreError, match="max_cost"):
            judge_run(store, run, judge, max_cost=-1)
        with pytest.warns(UserWarning, match="reports no cost"):
            judge_run(store, run, CueJudge(model_name="free"), max_cost=1.0)
    # 3 calls spent 0.03; a 4th, predicted at 0.01, could reach 0.04 > 0.035
    assert (stopped.judged, stopped.stopped, stopped.cost) == (3, True, 0.03)
    assert stopped.remaining == rest.judged
    assert rest.already == 3
    assert cost == pytest.approx(0.01 * (3 + rest.judged))


def test_estimate_counts_the_calls_and_prices_a_dataforseo_judge(tmp_path):
    with VisibilityStore(tmp_path / "v.db") as store:
        run = emulated_run(store, "r", samples=2)
        judge = CueJudge()
        plain = estimate_judging(store, run, judge)
        assert judge.calls == 0  # nothing is sent
        dfs = ChatDataForSEO(
            engine="chat_gpt", model="gpt-4.1-mini", login="l", password="p", web_search=False
        )
        priced = estimate_judging(store, run, dfs)
        judge_run(store, run, judge)
        after = estimate_judging(store, run, judge)
        mentions = store.connection.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
    assert plain.calls == priced.calls == mentions > 0
    assert plain.cost is None
    assert plain.input_tokens == -(-plain.prompt_chars // 4)
    assert priced.judge == "chat_gpt/gpt-4.1-mini"
    assert priced.cost is not None
    assert 0 < priced.cost / priced.calls < 0.01
    assert after.calls == 0


def test_the_prompt_fits_500_characters_and_the_excerpt_keeps_the_mentions():
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20
    text = f"{filler}**Acme** is an excellent choice. {filler}Acme again is a poor fit. {filler}"
    prompt = judge_prompt("Acme", ("Acme Corp",), text)
    assert len(prompt) <= MAX_JUDGE_PROMPT_CHARS
    cut = prompt.split("Excerpt: ", 1)[1]
    assert cut.startswith("… ")
    assert cut.endswith(" …")
    assert " … " in cut.strip("… ")
    assert "excellent choice" in cut
    assert "poor fit" in cut
    assert excerpt("Short answer naming Acme.", ("Acme",), 100) == "Short answer naming Acme."
    with pytest.raises(VisibilityStoreError, match="leaves"):
        judge_prompt("A" * 400, (), text)
