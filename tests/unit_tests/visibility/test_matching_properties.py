from hypothesis import given
from hypothesis import strategies as st

from langchain_dataforseo.visibility._matching import (
    first_mention,
    host_in_domain,
    host_of,
    mask_urls,
    rank_first_mentions,
)

words = st.text(alphabet="abc XYZ.-/:()[]\n", max_size=60)


@given(words)
def test_masking_keeps_length_and_never_adds_text(text):
    masked = mask_urls(text)
    assert len(masked) == len(text)
    assert all(m in (c, " ") for m, c in zip(masked, text, strict=True))


@given(words, words)
def test_a_name_in_plain_words_is_found_at_or_before_where_it_was_put(before, after):
    text = f"{before} Quokka {after}"
    offset = first_mention(mask_urls(text), ["Quokka"])
    put = len(before) + 1
    # found unless the insertion landed inside a URL of the surrounding text
    if offset is not None:
        assert offset <= put
    elif "://" not in text and "www." not in text and "](" not in text:
        raise AssertionError(text)


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 20), max_size=8))
def test_ranks_are_competition_ranks(offsets):
    ranks = rank_first_mentions(offsets)
    assert set(ranks) == set(offsets)
    for name, rank in ranks.items():
        earlier = sum(1 for other in offsets.values() if other < offsets[name])
        assert rank == earlier + 1


@given(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,3}\.(com|org|co\.uk)", fullmatch=True))
def test_every_host_is_in_its_own_domain_and_its_parent_labels(host):
    normalised = host_of(f"https://{host}/x")
    assert normalised is not None
    assert host_in_domain(normalised, normalised)
    assert host_in_domain("sub." + normalised, normalised)
    assert not host_in_domain("x" + normalised, normalised)
