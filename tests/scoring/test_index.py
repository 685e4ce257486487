import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustledger.scoring.display import display_index
from trustledger.scoring.index import (
    INDICATORS,
    PILLARS,
    IndexSettings,
    IndicatorResult,
    band,
    compute_index,
    contributions,
    decay_weight,
    weighted_mean,
)

SEVEN = {
    "on_time": 80.0,
    "budget": 70.0,
    "quality": 90.0,
    "outcomes": 60.0,
    "scope_control": 100.0,
    "no_surprises": 50.0,
    "commitments": 40.0,
}


def results(scores):
    return [IndicatorResult(key, score) for key, score in scores.items()]


def test_thirteen_indicators_in_four_pillars():
    assert len(INDICATORS) == 13
    assert list(PILLARS) == ["results", "integrity", "concern", "voice"]


def test_an_event_one_half_life_old_weighs_half():
    assert decay_weight(0, 90) == 1
    assert decay_weight(90, 90) == 0.5
    assert decay_weight(180, 90) == 0.25


def test_decay_rejects_future_events_and_a_non_positive_half_life():
    with pytest.raises(ValueError, match="negative"):
        decay_weight(-1, 90)
    with pytest.raises(ValueError, match="half-life"):
        decay_weight(1, 0)


def test_weighted_mean_with_decay_weights():
    # 100 today (weight 1) and 40 one half-life ago (weight 0.5): (100 + 20) / 1.5
    assert weighted_mean([100, 40], [decay_weight(0, 90), decay_weight(90, 90)]) == pytest.approx(
        80
    )
    assert weighted_mean([], []) is None


def test_default_settings_weigh_every_indicator_one():
    assert dict(IndexSettings().weights) == dict.fromkeys(INDICATORS, 1.0)


def test_settings_keep_the_default_weight_for_indicators_they_do_not_name():
    settings = IndexSettings(weights={"on_time": 3, "loyalty": 0})

    assert settings.weights["on_time"] == 3
    assert settings.weights["loyalty"] == 0
    assert settings.weights["budget"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"on_tme": 1}}, "unknown"),
        ({"weights": {"budget": -1}}, "non-negative"),
        ({"weights": {"budget": math.inf}}, "finite"),
        ({"weights": dict.fromkeys(INDICATORS, 0)}, "positive"),
        ({"window_days": 0}, "positive"),
        ({"healthy_at": 40}, "thresholds"),
        ({"min_confidence": 1.5}, "min_confidence"),
    ],
)
def test_invalid_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        IndexSettings(**kwargs)


def test_the_index_is_the_weighted_mean_of_the_indicators_with_data():
    result = compute_index(results(SEVEN), IndexSettings())

    assert result.index == pytest.approx(70)  # 490 / 7
    assert result.confidence == pytest.approx(7 / 13)
    assert result.band == "watch"
    assert result.pillar_scores["results"] == pytest.approx(75)  # (80 + 70 + 90 + 60) / 4
    assert result.pillar_scores["integrity"] == pytest.approx(190 / 3)
    assert result.pillar_scores["concern"] is None
    assert result.scores["loyalty"] is None


def test_weights_change_the_index_and_the_confidence():
    result = compute_index(results(SEVEN), IndexSettings(weights={"on_time": 2}))

    assert result.index == pytest.approx(71.25)  # (160 + 70 + 90 + 60 + 100 + 50 + 40) / 8
    assert result.confidence == pytest.approx(8 / 14)


def test_below_the_minimum_confidence_there_is_no_index():
    six = dict(list(SEVEN.items())[:6])

    result = compute_index(results(six), IndexSettings())

    assert result.index is None
    assert result.band == "not_enough_data"
    assert result.confidence == pytest.approx(6 / 13)


def test_an_indicator_without_data_is_left_out_not_scored_zero():
    with_none = compute_index([*results(SEVEN), IndicatorResult("loyalty", None)], IndexSettings())

    assert with_none.index == pytest.approx(70)


def test_unknown_repeated_or_out_of_range_results_are_rejected():
    with pytest.raises(ValueError, match="unknown"):
        compute_index([IndicatorResult("mood", 50)], IndexSettings())
    with pytest.raises(ValueError, match="repeated"):
        compute_index([IndicatorResult("budget", 50)] * 2, IndexSettings())
    with pytest.raises(ValueError, match="outside"):
        compute_index([IndicatorResult("budget", 101)], IndexSettings())


@pytest.mark.parametrize(
    ("index", "expected"),
    [(100, "healthy"), (75, "healthy"), (74.4, "watch"), (50, "watch"), (49.4, "at_risk")],
)
def test_bands(index, expected):
    assert band(index, IndexSettings()) == expected
    assert band(None, IndexSettings()) == "not_enough_data"


@pytest.mark.parametrize(
    ("index", "shown", "expected"),
    [(74.5, 75, "healthy"), (74.49, 74, "watch"), (49.5, 50, "watch"), (49.49, 49, "at_risk")],
)
def test_the_band_is_read_from_the_index_as_shown_so_75_is_never_watch(index, shown, expected):
    assert display_index(index) == shown
    assert band(index, IndexSettings()) == expected


def test_a_change_in_one_score_is_all_that_indicator_s_contribution():
    before = compute_index(results(SEVEN), IndexSettings())
    after = compute_index(results({**SEVEN, "on_time": 60.0}), IndexSettings())

    change = contributions(before, after)

    assert change["on_time"] == pytest.approx(-20 / 7)
    assert all(change[k] == 0 for k in SEVEN if k != "on_time")


def test_an_indicator_gaining_data_contributes_its_distance_from_the_others():
    before = compute_index(results(SEVEN), IndexSettings())
    after = compute_index(results({**SEVEN, "loyalty": 100.0}), IndexSettings())

    change = contributions(before, after)

    assert after.index == pytest.approx(73.75)  # 590 / 8
    assert change["loyalty"] == pytest.approx(3.75)  # 1/8 * (100 - 70)
    assert all(change[k] == 0 for k in SEVEN)


def test_losing_a_weak_indicator_lifts_the_index_by_its_share_of_the_gap():
    eight = {**SEVEN, "loyalty": 30.0}  # mean 520 / 8 = 65
    before = compute_index(results(eight), IndexSettings())
    after = compute_index(results(SEVEN), IndexSettings())

    change = contributions(before, after)

    assert change["loyalty"] == pytest.approx(5)  # -1/8 * (30 - 70)
    assert sum(change.values()) == pytest.approx(after.index - before.index)


def test_no_contributions_without_an_index_on_both_sides():
    before = compute_index(results({"on_time": 50.0}), IndexSettings())

    assert contributions(before, compute_index(results(SEVEN), IndexSettings())) == {}


score = st.none() | st.floats(0, 100)
snapshot = st.fixed_dictionaries(dict.fromkeys(INDICATORS, score))
weight = st.just(0.0) | st.floats(0.001, 10)
weights = st.fixed_dictionaries(dict.fromkeys(INDICATORS, weight)).filter(
    lambda w: sum(w.values()) > 0
)


def lenient(w):
    return IndexSettings(weights=w, min_confidence=0)


@given(snapshot, snapshot, weights, weights)
def test_contributions_add_up_to_the_change(before_scores, after_scores, w_before, w_after):
    before = compute_index(results(before_scores), lenient(w_before))
    after = compute_index(results(after_scores), lenient(w_after))

    change = contributions(before, after)

    if before.index is not None and after.index is not None:
        assert math.fsum(change.values()) == pytest.approx(after.index - before.index, abs=1e-9)


@given(snapshot, snapshot, weights)
def test_an_unchanged_indicator_contributes_nothing_when_weights_stay(first, second, w):
    before = compute_index(results(first), lenient(w))
    after = compute_index(results({**second, "on_time": first["on_time"]}), lenient(w))

    change = contributions(before, after)

    if before.index is not None and after.index is not None and first["on_time"] is not None:
        assert change.get("on_time", 0) == pytest.approx(0, abs=1e-9)


@given(snapshot, weights, st.floats(0.01, 100))
def test_scaling_every_weight_leaves_the_index_unchanged(scores, w, factor):
    plain = compute_index(results(scores), IndexSettings(weights=w))
    scaled = compute_index(
        results(scores), IndexSettings(weights={k: v * factor for k, v in w.items()})
    )

    assert scaled.confidence == pytest.approx(plain.confidence)
    if plain.index is not None and scaled.index is not None:
        assert scaled.index == pytest.approx(plain.index, abs=1e-9)


@given(snapshot, weights)
def test_the_index_stays_within_0_and_100(scores, w):
    result = compute_index(results(scores), lenient(w))

    assert 0 <= result.confidence <= 1
    assert result.index is None or 0 <= result.index <= 100
    assert all(p is None or 0 <= p <= 100 for p in result.pillar_scores.values())


@given(snapshot, weights, st.sampled_from(INDICATORS))
def test_losing_an_indicator_s_data_excludes_it_and_lowers_the_confidence(scores, w, key):
    with_data = compute_index(results({**scores, key: 0.0}), lenient(w))
    without = compute_index(results({**scores, key: None}), lenient(w))
    others = {k: s for k, s in scores.items() if k != key and s is not None and w[k] > 0}

    assert without.confidence == pytest.approx(with_data.confidence - w[key] / sum(w.values()))
    expected = weighted_mean([others[k] for k in others], [w[k] for k in others])
    assert without.index == (None if expected is None else pytest.approx(expected))
