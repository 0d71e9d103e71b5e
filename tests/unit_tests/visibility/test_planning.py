"""``answers_needed``: a two-sided two-proportion test's sample size, by hand and by property."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from langchain_dataforseo.errors import DataForSEOInputError
from langchain_dataforseo.visibility import answers_needed

rates = st.floats(min_value=0.01, max_value=0.99)


def test_fifty_to_sixty_percent_needs_about_385_answers():
    # p_bar = .55: 1.95996 * sqrt(2 * .55 * .45) = 1.37895; .84162 * sqrt(.25 + .24) = .58914
    # (1.96809)^2 / .01 = 387.3 -> 388 (the unpooled shortcut, 2.80159^2 * .49 / .01, is 385)
    assert answers_needed(0.5, 0.6) == 388
    assert answers_needed(0.6, 0.5) == 388
    # alpha .01, power .9: (2.57583 * .70356 + 1.28155 * .7)^2 / .01 = 734.4 -> 735
    assert answers_needed(0.5, 0.6, power=0.9, alpha=0.01) == 735


@given(rates, rates)
def test_symmetric_in_the_two_rates_and_in_their_complements(p, q):
    if abs(p - q) < 1e-3:
        return
    assert answers_needed(p, q) == answers_needed(q, p)
    assert abs(answers_needed(p, q) - answers_needed(1 - p, 1 - q)) <= 1  # float rounding


@given(rates, st.floats(min_value=0.01, max_value=0.3), st.floats(min_value=0.01, max_value=0.3))
def test_a_bigger_move_needs_no_more_answers(p, small, extra):
    near, far = p + small, p + small + extra
    if far >= 1:
        return
    assert answers_needed(p, far) <= answers_needed(p, near)


@given(
    rates,
    rates,
    st.floats(min_value=0.5, max_value=0.98),
    st.floats(min_value=0.001, max_value=0.2),
)
def test_more_power_or_a_stricter_alpha_needs_no_fewer_answers(p, q, power, alpha):
    if abs(p - q) < 1e-3:
        return
    n = answers_needed(p, q, power=power, alpha=alpha)
    assert n >= 1
    assert answers_needed(p, q, power=min(power + 0.01, 0.99), alpha=alpha) >= n
    assert answers_needed(p, q, power=power, alpha=alpha / 2) >= n


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"p_from": 0.0, "p_to": 0.5}, "p_from"),
        ({"p_from": 0.5, "p_to": 1.0}, "p_to"),
        ({"p_from": math.nan, "p_to": 0.5}, "p_from"),
        ({"p_from": 0.5, "p_to": math.inf}, "p_to"),
        ({"p_from": 0.5, "p_to": 0.5}, "p_to"),
        ({"p_from": 0.5, "p_to": 0.6, "power": 0.4}, "power"),
        ({"p_from": 0.5, "p_to": 0.6, "power": 1.0}, "power"),
        ({"p_from": 0.5, "p_to": 0.6, "alpha": 0.0}, "alpha"),
        ({"p_from": True, "p_to": 0.6}, "p_from"),
    ],
)
def test_bad_input_names_the_field_the_limit_and_the_value(kwargs, field):
    with pytest.raises(DataForSEOInputError) as caught:
        answers_needed(**kwargs)
    assert caught.value.field == field
    assert caught.value.limit is not None
    assert repr(kwargs[field]) in str(caught.value)
