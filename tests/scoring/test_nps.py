import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustledger.scoring.nps import category, compute_nps, nps_by, nps_trend, validate_score

answers = st.lists(st.integers(0, 10), max_size=60)


def test_answers_are_sorted_into_promoters_passives_and_detractors():
    assert [category(s) for s in (10, 9, 8, 7, 6, 0)] == [
        "promoter",
        "promoter",
        "passive",
        "passive",
        "detractor",
        "detractor",
    ]


def test_a_balanced_sample_has_nps_zero_and_a_wide_margin():
    # 4 promoters (10, 9, 9, 10), 2 passives (8, 7), 4 detractors (6, 3, 0, 5)
    result = compute_nps([10, 9, 9, 8, 7, 6, 3, 0, 10, 5])

    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 4, 2, 4)
    assert result.nps == 0
    assert result.variance == pytest.approx(0.08)  # (0.4 + 0.4 - 0 ** 2) / 10
    assert result.margin_of_error == pytest.approx(55.437, abs=1e-3)  # 1.96 * sqrt(0.08) * 100


def test_a_mostly_promoting_sample():
    # 4 promoters, 1 passive, 1 detractor out of 6
    result = compute_nps([10, 10, 10, 9, 8, 2])

    assert result.nps == pytest.approx(50)  # 100 * (4/6 - 1/6)
    assert result.variance == pytest.approx((5 / 6 - 0.25) / 6)  # 0.097222...
    assert result.margin_of_error == pytest.approx(61.114, abs=1e-3)


def test_all_promoters_have_no_spread():
    result = compute_nps([9, 10, 10])

    assert result.nps == 100
    assert result.margin_of_error == 0


def test_no_answers_mean_no_data_not_zero():
    result = compute_nps([])

    assert result.n == 0
    assert result.nps is None
    assert result.variance is None
    assert result.margin_of_error is None


@pytest.mark.parametrize("bad", [-1, 11, 9.0, True, "9", None])
def test_anything_but_a_whole_number_from_0_to_10_is_rejected(bad):
    with pytest.raises(ValueError, match="0 to 10"):
        validate_score(bad)
    with pytest.raises(ValueError, match="0 to 10"):
        compute_nps([10, bad])


def test_nps_by_key_groups_answers():
    result = nps_by([("acme", 10), ("beta", 3), ("acme", 6), ("acme", 9)])

    assert result["acme"].nps == pytest.approx(100 / 3)  # 2 promoters, 1 detractor of 3
    assert result["beta"].nps == -100
    assert set(result) == {"acme", "beta"}


def test_the_trend_lists_periods_in_order_with_their_change():
    jan, feb, mar = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
    trend = nps_trend([(mar, 10), (jan, 0), (feb, 8), (jan, 10), (mar, 9)])

    assert [p.period for p in trend] == [jan, feb, mar]
    assert [p.result.nps for p in trend] == [0, 0, 100]
    assert [p.change for p in trend] == [None, 0, 100]


@given(answers)
def test_nps_and_its_margin_stay_in_range(scores):
    result = compute_nps(scores)

    if scores:
        assert -100 <= result.nps <= 100
        assert 0 <= result.margin_of_error <= 1.96 * 100
        assert result.margin_of_error == pytest.approx(1.96 * math.sqrt(result.variance) * 100)


@given(answers.filter(bool), st.integers(0, 6))
def test_a_detractor_never_raises_the_nps(scores, detractor):
    assert compute_nps([*scores, detractor]).nps <= compute_nps(scores).nps
