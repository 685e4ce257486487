"""One rounding rule, one format per kind of figure: the numbers every surface shows."""

import math
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from trustledger.scoring.display import (
    apportion,
    display_index,
    format_number,
    format_percent,
    format_ratio,
    format_signed,
    kept,
    round_half_up,
    shown_change,
    shown_percent,
)
from trustledger.scoring.index import (
    INDICATORS,
    IndexSettings,
    IndicatorResult,
    compute_index,
    contributions,
)

scores = st.floats(0, 100, allow_nan=False)
results = st.lists(st.none() | scores, min_size=13, max_size=13).map(
    lambda values: [IndicatorResult(k, v) for k, v in zip(INDICATORS, values, strict=True)]
)
parts = st.dictionaries(
    st.sampled_from("abcdefghijklm"), st.floats(-40, 40, allow_nan=False), max_size=13
)


def test_ties_round_half_up_not_to_even():
    # Python's round() and f"{x:.0f}" send 28.5 to 28 and 0.125 to "12%"; people expect 29, 13%
    assert (round(28.5), f"{28.5:.0f}", f"{0.125:.0%}") == (28, "28", "12%")
    assert display_index(28.5) == 29
    assert display_index(27.5) == 28
    assert format_percent(0.125) == "13%"
    assert round_half_up(0.645, 2) == 0.65  # the float 0.645 is 0.64499999..., its decimal is not


def test_negative_ties_round_away_from_zero_so_signs_mirror():
    assert format_signed(2.5) == "+3"
    assert format_signed(-2.5) == "−3"
    assert round_half_up(-0.125, 2) == -0.13


def test_the_index_is_kept_to_two_decimals_and_shown_whole_from_the_kept_value():
    assert kept(28.4951) == 28.5
    # shown from the kept value, so the stored 28.50 and the exact 28.4951 read the same
    assert display_index(28.4951) == display_index(kept(28.4951)) == 29
    assert display_index(28.494) == 28
    assert display_index(None) is None


@given(scores)
def test_showing_the_kept_value_is_the_same_as_showing_the_exact_one(value):
    assert display_index(kept(value)) == display_index(value)


@given(scores, scores)
def test_the_shown_change_is_the_difference_of_the_shown_values(current, previous):
    assert shown_change(current, previous) == display_index(current) - display_index(previous)
    assert shown_change(None, previous) is None


def test_signed_shows_a_real_minus_and_never_a_negative_zero():
    assert [format_signed(v) for v in (3.2, -0.4, 0.0, -8.5, None)] == ["+3", "0", "0", "−9", "—"]
    assert [format_signed(v, 1) for v in (0.04, -0.04, -2.35)] == ["0.0", "0.0", "−2.4"]


def test_percent_and_ratio_formats():
    assert [format_percent(v) for v in (0.642, 1.0, 0.004, None)] == ["64%", "100%", "0%", "—"]
    assert format_percent(Decimal("0.095")) == "10%"
    assert shown_percent(0.0949) == 9 and shown_percent(0.095) == 10
    assert [format_ratio(v) for v in (0.995, 1, None)] == ["1.00", "1.00", "—"]
    assert [format_number(v) for v in (13.5, 0.4, -0.4, None)] == ["14", "0", "0", "—"]
    assert format_number(-12499.5, grouped=True) == "-12,500"  # exports stay numbers
    assert format_percent(0.64249, 1) == "64.2%" and format_percent(0.64250, 1) == "64.3%"


def test_a_number_that_is_not_finite_is_refused():
    with pytest.raises(ValueError, match="finite"):
        display_index(math.nan)


def test_largest_remainders_go_to_the_parts_closest_to_the_next_point():
    assert apportion({"a": 1.6, "b": 0.3, "c": -0.2}, total=2) == {"a": 2, "b": 0, "c": 0}
    assert apportion({"a": -1.4, "b": -0.9, "c": 0.0}, total=-2) == {"a": -1, "b": -1, "c": 0}
    assert apportion({}, total=0) == {}


@given(parts, st.sampled_from([math.floor, math.ceil]))
def test_the_rounded_parts_add_up_exactly_to_the_total_and_each_stays_within_a_point(exact, pick):
    total = pick(math.fsum(exact.values()))
    assume(abs(total - math.fsum(exact.values())) < 1 - 1e-9)
    shown = apportion(exact, total=total)
    assert sum(shown.values()) == total
    assert shown.keys() == exact.keys()
    assert all(abs(shown[k] - exact[k]) < 1 for k in exact)
    assert all(shown[k] == 0 for k in exact if exact[k] == 0)


@given(results, results)
def test_the_explained_change_as_shown_adds_up_to_the_change_as_shown(before, after):
    settings = IndexSettings(min_confidence=0)
    old, new = compute_index(before, settings), compute_index(after, settings)
    assume(old.index is not None and new.index is not None)
    change = shown_change(new.index, old.index)
    assert change is not None
    shown = apportion(contributions(old, new), total=change)
    assert sum(shown.values()) == change
    assert all(abs(shown[k] - v) < 1 for k, v in contributions(old, new).items())


def test_a_total_far_from_its_parts_still_adds_up_spreading_the_difference_evenly():
    assert apportion({"a": 0.2, "b": 0.1}, total=3) == {"a": 2, "b": 1}
    assert apportion({"a": 0.2, "b": 0.1}, total=-1) == {"a": 0, "b": -1}


def test_a_total_without_parts_to_carry_it_is_refused():
    with pytest.raises(ValueError, match="no parts"):
        apportion({}, total=1)
