"""Every regex run over API text is linear: long adversarial tokens finish, with the right spans.

Issue 18, point 8: ``_BARE_URL`` re-read a run of scheme characters from every letter in
it, so one 80 KB token took 26 s to record. No timed assertion here: the adversarial inputs
run in a child process with a generous timeout (a hang guard that a linear scan passes in
milliseconds and the old regex, quadratic, misses by minutes), and their results are
compared with what they must be. The bare-URL spans are also compared with the old regex,
the reference, on short texts where it is fast.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_dataforseo.visibility._matching import bare_url_spans

OLD_BARE_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"'\]\[]+", re.IGNORECASE)
"""The reference: the regex before the fix (same spans, quadratic time)."""

SIZE = 200_000
HANG_GUARD_S = 60.0

_CHILD = textwrap.dedent(
    """
    import json, sys
    from langchain_dataforseo._api import catalogue as _catalogue
    from langchain_dataforseo._api import redact as _redact
    from langchain_dataforseo.visibility._matching import (
        ExtractedAnswer, _DOMAIN_LABEL, _MD_LINK, answer_facts, bare_url_spans, mask_urls,
    )
    n = int(sys.argv[1])
    tokens = {
        "letters": "a" * n,
        "schemes": "http://" * (n // 7),
        "dots": "." * n,
        "www": "www." * (n // 4),
        "label-dots": "a." * (n // 2),
        "digit-letter": "1a" * (n // 2),
        "colons": "a:" * (n // 2),
        "almost-scheme": "a" * n + ":/",
        "dashes": "-a" * (n // 2),
        "open-bracket": "[" + "a" * n,
        "link-parens": "[a](" + "(b)" * (n // 3),
    }
    out = {}
    for name, token in tokens.items():
        text = "Acme first. " + token + " then Zenith."
        facts = answer_facts(
            ExtractedAnswer(None, text, (), (), None), {"Acme": ["Acme"], "Zenith": ["Zenith"]}, {}
        )
        out[name] = {
            "bare": bare_url_spans(token),
            "masked_blank": mask_urls(token).strip() == "",
            "offsets": facts.offsets,
            "links": [m.span() for m in _MD_LINK.finditer(token)],
            "label": _DOMAIN_LABEL.fullmatch(token) is not None,
        }
    model = "-a" * (n // 2) + "-20250101"
    out["catalogue"] = [
        _catalogue._RELEASE.fullmatch(model) is not None,
        _catalogue._MAJOR_ONLY.fullmatch("x" + "-a" * (n // 2) + "!") is not None,
    ]
    unclosed = ['"postback_url"' + " " * n, '"postback_url": "' + "a" * n]
    out["redact"] = [_redact._CALLBACK_IN_JSON.sub("x", t) == t for t in unclosed]
    print(json.dumps(out))
    """
)


def _run_child(size: int) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", _CHILD, str(size)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_long_adversarial_tokens_are_read_in_linear_time_with_the_right_spans():
    out = _run_child(SIZE)
    n = SIZE
    # what each token is: a URL to the end of the token, or no URL at all
    expected_bare = {
        "letters": [],
        "schemes": [[0, 7 * (n // 7)]],
        "dots": [],
        "www": [[0, 4 * (n // 4)]],
        "label-dots": [],
        "digit-letter": [],
        "colons": [],
        "almost-scheme": [],
        "dashes": [],
        "open-bracket": [],
        "link-parens": [],
    }
    for name, bare in expected_bare.items():
        got = out[name]
        assert isinstance(got, dict)
        assert got["bare"] == bare, name
        assert got["masked_blank"] is bool(bare), name
        assert got["links"] == [], name  # no closing parenthesis anywhere
        assert got["label"] is False, name
        # the brands around the token are still found where they are
        zenith = len("Acme first. ") + _token_len(name, n) + len(" then ")
        assert got["offsets"] == {"Acme": 0, "Zenith": zenith}, name
    assert out["catalogue"] == [True, False]
    assert out["redact"] == [True, True]  # nothing to hide: no closing quote


def _token_len(name: str, n: int) -> int:
    """The length of the child's token ``name`` for size ``n``."""
    return {
        "letters": n,
        "schemes": 7 * (n // 7),
        "dots": n,
        "www": 4 * (n // 4),
        "label-dots": 2 * (n // 2),
        "digit-letter": 2 * (n // 2),
        "colons": 2 * (n // 2),
        "almost-scheme": n + 2,
        "dashes": 2 * (n // 2),
        "open-bracket": n + 1,
        "link-parens": 4 + 3 * (n // 3),
    }[name]


URLISH = st.text(alphabet='aWw.:/1+- []hK\u212a\u017f"<x', max_size=40)


@settings(max_examples=3000)
@given(URLISH)
def test_bare_url_spans_are_the_old_regex_spans(text):
    assert bare_url_spans(text) == [m.span() for m in OLD_BARE_URL.finditer(text)]


def test_bare_url_spans_examples():
    text = "see https://a.com/x, www.b.org and 12.ab+c://q.r but not x:y or wwwx.com"
    assert [text[s:e] for s, e in bare_url_spans(text)] == [
        "https://a.com/x,",
        "www.b.org",
        "ab+c://q.r",
    ]
