"""Explaining the change between two dates: whole points that add up to the shown change, and a
configuration change on its own line, never blamed on indicators whose scores did not move."""

import math
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustledger.scoring.display import kept, shown_change
from trustledger.scoring.explain import CONFIGURATION, explain_change
from trustledger.scoring.index import (
    INDICATORS,
    IndexResult,
    IndexSettings,
    IndicatorResult,
    compute_index,
    contributions,
)


def stored(scores, weights=None, min_confidence=0.0):
    """The index as a snapshot keeps it: index and scores to two decimals."""
    settings = IndexSettings(weights=weights or {}, min_confidence=min_confidence)
    result = compute_index([IndicatorResult(k, s) for k, s in scores.items()], settings)
    return IndexResult(
        index=None if result.index is None else kept(result.index),
        confidence=result.confidence,
        band=result.band,
        pillar_scores=result.pillar_scores,
        scores=MappingProxyType(
            {k: None if v is None else kept(v) for k, v in result.scores.items()}
        ),
        weights=result.weights,
    )


def test_the_header_gives_exact_and_shown_values_and_the_shown_change():
    before = stored({"on_time": 28.52})
    after = stored({"on_time": 27.31})

    explained = explain_change(before, after)

    assert (explained.before, explained.after, explained.change) == (28.52, 27.31, -1.21)
    assert (explained.shown_before, explained.shown_after, explained.shown_change) == (29, 27, -2)
    assert explained.shown == {"on_time": -2}


def test_a_weight_change_is_its_own_line_and_not_blamed_on_unmoved_indicators():
    """Issue 14: the old explanation compared the two snapshots directly, so doubling the weight
    of a low indicator 'moved' every indicator although no score changed."""
    scores = {"on_time": 20.0, "budget": 60.0, "quality": 90.0}
    before = stored(scores)
    after = stored(scores, weights={"on_time": 3.0})
    after_under_before = stored(scores)

    naive = contributions(before, after)
    explained = explain_change(before, after, after_under_before=after_under_before)

    assert any(abs(v) > 0.5 for v in naive.values())  # the defect, reproduced
    assert explained.moved() == []
    assert explained.config_effect == pytest.approx(after.index - before.index)
    assert explained.shown == {CONFIGURATION: explained.shown_change}
    assert explained.shown_config_effect == explained.shown_change == 42 - 57


def test_facts_and_configuration_split_the_change_between_them():
    before = stored({"on_time": 80.0, "budget": 60.0, "quality": 70.0})
    new_weights = {"budget": 2.0}
    later = {"on_time": 40.0, "budget": 60.0, "quality": 70.0}
    after = stored(later, weights=new_weights)

    explained = explain_change(before, after, after_under_before=stored(later))

    assert explained.shown.get("budget", 0) == 0 and explained.shown.get("quality", 0) == 0
    assert explained.shown["on_time"] < 0
    assert CONFIGURATION in explained.shown
    assert sum(explained.shown.values()) == explained.shown_change


def test_a_settings_change_without_effect_still_shows_its_line_at_zero():
    scores = {"on_time": 70.0, "budget": 65.0}
    explained = explain_change(stored(scores), stored(scores), after_under_before=stored(scores))

    assert explained.config_changed and explained.shown_config_effect == 0
    assert explained.shown == {} and explained.shown_change == 0


def test_no_explanation_without_an_index_at_both_dates():
    before = stored({"on_time": 70.0}, min_confidence=0.5)
    after = stored(dict.fromkeys(INDICATORS, 50.0), min_confidence=0.5)

    explained = explain_change(before, after)

    assert before.index is None
    assert explained.change is None and explained.shown_change is None and explained.shown == {}


score = st.none() | st.floats(0, 100)
facts = st.fixed_dictionaries(dict.fromkeys(INDICATORS, score))
weight = st.just(0.0) | st.floats(0.01, 10)
weights = st.fixed_dictionaries(dict.fromkeys(INDICATORS, weight)).filter(
    lambda w: sum(w.values()) > 0
)


@given(facts, facts, weights, st.sampled_from(INDICATORS))
def test_shown_parts_add_up_exactly_to_the_shown_change(first, second, w, unmoved):
    second = {**second, unmoved: first[unmoved]}
    before, after = stored(first, w), stored(second, w)

    explained = explain_change(before, after)

    if before.index is not None and after.index is not None:
        assert sum(explained.shown.values()) == shown_change(after.index, before.index)
        assert explained.shown.get(unmoved, 0) == 0
        assert math.fsum(explained.contributions.values()) == pytest.approx(
            explained.change, abs=0.03
        )


@given(facts, facts, weights, weights, st.sampled_from(INDICATORS))
def test_with_a_configuration_change_the_parts_still_add_up_and_unmoved_stay_zero(
    first, second, w_before, w_after, unmoved
):
    second = {**second, unmoved: first[unmoved]}
    before = stored(first, w_before)
    after, after_under_before = stored(second, w_after), stored(second, w_before)

    explained = explain_change(before, after, after_under_before=after_under_before)

    if before.index is not None and after.index is not None:
        assert sum(explained.shown.values()) == explained.shown_change
        assert explained.config_changed
        if after_under_before.index is not None:
            assert explained.shown.get(unmoved, 0) == 0
            exact = math.fsum(explained.contributions.values()) + explained.config_effect
            assert exact == pytest.approx(explained.change, abs=0.03)
