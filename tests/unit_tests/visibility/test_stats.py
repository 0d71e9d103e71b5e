import math

import pytest

from langchain_dataforseo.visibility import OVERLAP_RULE, Z_TEST_RULE, two_proportion_z, wilson
from langchain_dataforseo.visibility._stats import compare_rates, rate


def test_wilson_matches_the_closed_form_worked_out_by_hand():
    # 5/10: p = .5, z^2 = 3.8415; centre = (.5 + .19207)/1.38415 = .5;
    # half = 1.96 * sqrt(.025 + .0096037)/1.38415 = .26340 -> [.2366, .7634]
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.23659, abs=1e-4)
    assert high == pytest.approx(0.76341, abs=1e-4)


def test_wilson_at_zero_and_at_n_stays_inside_0_1_and_is_not_degenerate():
    low, high = wilson(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.27753, abs=1e-4)  # z^2/(n + z^2) = 3.8415/13.8415
    low, high = wilson(10, 10)
    assert high == 1.0
    assert low == pytest.approx(1 - 0.27753, abs=1e-4)


def test_wilson_refuses_an_empty_sample_and_rate_marks_it_undefined():
    with pytest.raises(ValueError, match="n >= 1"):
        wilson(0, 0)
    undefined = rate(0, 0)
    assert undefined.value is None
    assert undefined.low is None
    assert rate(3, 4).value == 0.75


def test_two_proportion_z_worked_example():
    # 40/100 vs 60/100: pooled .5, se = sqrt(.25 * .02) = .070711, z = .2/.070711 = 2.8284
    z, p = two_proportion_z(40, 100, 60, 100)
    assert z == pytest.approx(2.8284, abs=1e-4)
    assert p == pytest.approx(math.erfc(2.8284271 / math.sqrt(2)), rel=1e-6)
    assert p == pytest.approx(0.004678, abs=1e-5)
    assert two_proportion_z(0, 0, 1, 2) is None
    assert two_proportion_z(0, 10, 0, 20) == (0.0, 1.0)


def test_the_overlap_rule_is_stricter_than_the_z_test():
    # 40/100 vs 55/100: z = 2.125, p = .034 -> significant; Wilson intervals
    # [.309, .498] and [.452, .643] overlap -> not significant under the stricter rule.
    a, b = rate(40, 100), rate(55, 100)
    by_z = compare_rates(a, b, Z_TEST_RULE)
    by_overlap = compare_rates(a, b, OVERLAP_RULE)
    assert by_z.significant is True
    assert by_z.delta == pytest.approx(0.15)
    assert by_overlap.significant is False
    assert by_overlap.rule == OVERLAP_RULE
    assert compare_rates(rate(10, 100), rate(60, 100), OVERLAP_RULE).significant is True


def test_an_undefined_side_is_never_significant():
    change = compare_rates(rate(0, 0), rate(9, 10))
    assert change.significant is False
    assert change.delta is None
    with pytest.raises(ValueError, match="rule"):
        compare_rates(rate(1, 2), rate(1, 2), "eyeballing")
