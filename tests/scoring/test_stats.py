import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustledger.scoring.stats import (
    BandCalibration,
    SurvivalPoint,
    bootstrap_auc_interval,
    calibration_by_band,
    kaplan_meier,
    median,
    p90,
    percentile,
    roc_auc,
)


def pairwise_auc(scores, labels):
    """The definition: share of (positive, negative) pairs the positive wins, ties half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def test_auc_counts_the_pairs_a_positive_wins():
    # positives 0.35, 0.8 vs negatives 0.1, 0.4: 0.35 > 0.1, 0.8 > 0.1, 0.8 > 0.4 -> 3 of 4
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75


def test_auc_counts_a_tie_as_half_a_win():
    # positives 1, 3 vs negatives 1, 2: tie (0.5) + loss + win + win -> 2.5 of 4
    assert roc_auc([1, 1, 2, 3], [0, 1, 0, 1]) == 0.625


def test_perfect_and_reversed_rankings():
    assert roc_auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1
    assert roc_auc([4, 3, 2, 1], [0, 0, 1, 1]) == 0


def test_auc_needs_both_classes():
    assert roc_auc([1, 2, 3], [1, 1, 1]) is None
    assert roc_auc([], []) is None


def test_auc_rejects_labels_other_than_0_and_1_and_mismatched_lengths():
    with pytest.raises(ValueError, match="0 or 1"):
        roc_auc([1, 2], [0, 2])
    with pytest.raises(ValueError, match="labels"):
        roc_auc([1, 2, 3], [0, 1])


@given(
    st.lists(
        st.tuples(st.integers(0, 10).map(float), st.integers(0, 1)), min_size=2, max_size=40
    ).filter(lambda rows: len({y for _, y in rows}) == 2)
)
def test_auc_matches_the_pairwise_definition_and_flips_with_the_score(rows):
    scores, labels = zip(*rows, strict=True)

    assert roc_auc(scores, labels) == pytest.approx(pairwise_auc(scores, labels))
    assert roc_auc([-s for s in scores], labels) == pytest.approx(1 - roc_auc(scores, labels))


def test_the_bootstrap_interval_is_reproducible_and_brackets_the_auc():
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 200)
    scores = labels + rng.normal(0, 1, 200)

    low, high = bootstrap_auc_interval(scores, labels, n_resamples=300, seed=1)

    assert low < roc_auc(scores, labels) < high
    assert 0 <= low < high <= 1
    assert bootstrap_auc_interval(scores, labels, n_resamples=300, seed=1) == (low, high)


def test_the_bootstrap_skips_resamples_with_a_single_class():
    # Resamples of these two points have one class half the time; the others all have AUC 1.
    assert bootstrap_auc_interval([0.2, 0.9], [0, 1], n_resamples=50) == (1.0, 1.0)


def test_the_bootstrap_has_no_interval_without_both_classes():
    assert bootstrap_auc_interval([0.2, 0.9], [1, 1]) is None


def test_calibration_gives_the_observed_rate_per_band_in_the_given_order():
    bands = ["healthy", "at_risk", "watch", "at_risk", "healthy", "healthy"]
    churned = [0, 1, 0, 0, 0, 1]

    rows = calibration_by_band(bands, churned, order=["healthy", "watch", "at_risk", "none"])

    assert rows == [
        BandCalibration("healthy", 3, 1, pytest.approx(1 / 3)),
        BandCalibration("watch", 1, 0, 0.0),
        BandCalibration("at_risk", 2, 1, 0.5),
        BandCalibration("none", 0, 0, None),
    ]


def test_calibration_defaults_to_sorted_bands_and_rejects_unlisted_ones():
    assert [r.band for r in calibration_by_band(["b", "a"], [0, 1])] == ["a", "b"]
    with pytest.raises(ValueError, match="outside"):
        calibration_by_band(["a", "b"], [0, 1], order=["a"])


def test_median_and_percentiles_interpolate_and_handle_no_values():
    assert median([3, 1, 4, 2]) == 2.5
    assert p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == pytest.approx(9.1)
    assert percentile([5], 99) == 5
    assert median([]) is None
    assert p90([]) is None


def test_kaplan_meier_matches_the_hand_computed_curve():
    # t=1: 5 at risk, 1 event -> 0.8; t=2: 4 at risk, 1 event (+1 censored) -> 0.6;
    # t=3: 2 at risk, 1 event -> 0.3; t=4: 1 at risk, censored -> stays 0.3
    curve = kaplan_meier([2, 1, 2, 3, 4], [True, True, False, True, False])

    assert curve == [
        SurvivalPoint(1.0, pytest.approx(0.8), 5, 1),
        SurvivalPoint(2.0, pytest.approx(0.6), 4, 1),
        SurvivalPoint(3.0, pytest.approx(0.3), 2, 1),
        SurvivalPoint(4.0, pytest.approx(0.3), 1, 0),
    ]


def test_kaplan_meier_without_events_stays_at_one_and_rejects_bad_input():
    assert [p.survival for p in kaplan_meier([3, 5], [False, False])] == [1.0, 1.0]
    assert kaplan_meier([], []) == []
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier([-1], [True])
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1, 2], [True])


@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), max_size=40))
def test_kaplan_meier_survival_never_rises_and_stays_in_0_1(rows):
    curve = kaplan_meier([d for d, _ in rows], [e for _, e in rows])
    survival = [p.survival for p in curve]

    assert all(0 <= s <= 1 for s in survival)
    assert survival == sorted(survival, reverse=True)
