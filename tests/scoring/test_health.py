"""The health-check score, its weakest areas, its trend and the month arithmetic of routines."""

import datetime as dt

import pytest

from trustledger.scoring.health import (
    add_months,
    area_scores,
    health_band,
    health_score,
    month_end,
    to_points,
    trend,
    weakest,
)


def test_answers_map_one_to_zero_and_five_to_a_hundred():
    assert [to_points(a) for a in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]


def test_the_overall_score_of_a_hand_computed_check():
    # results: answers 4 and 5 -> mean 4.5 -> 87.5 points, weight 2
    # integrity: 2 -> 25, weight 2
    # concern: 3 and not assessed -> 50, weight 2
    # communication: 5 -> 100, weight 1
    # value: 1 -> 0, weight 1
    # overall = (2*87.5 + 2*25 + 2*50 + 100 + 0) / (2+2+2+1+1) = 425 / 8 = 53.125
    answers = [
        ("results", 4),
        ("results", 5),
        ("integrity", 2),
        ("concern", 3),
        ("concern", None),
        ("communication", 5),
        ("value", 1),
    ]
    result = health_score(answers)
    assert result.overall == pytest.approx(53.125)
    assert result.areas == {
        "results": 87.5,
        "integrity": 25.0,
        "concern": 50.0,
        "communication": 100.0,
        "value": 0.0,
    }
    # below 62.5, lowest first
    assert result.weakest == ("value", "integrity", "concern")


def test_an_area_with_no_answer_is_left_out_not_scored_as_low():
    assert health_score([("results", 5), ("integrity", None)]).overall == 100
    assert health_score([("results", None)]).overall is None


def test_answers_outside_one_to_five_and_unknown_areas_are_refused():
    for bad in (0, 6, True, 2.5):
        with pytest.raises(ValueError, match="whole number from 1 to 5"):
            area_scores([("results", bad)])
    with pytest.raises(ValueError, match="unknown area"):
        area_scores([("charisma", 3)])


def test_weakest_lists_at_most_the_lowest_areas_below_the_line():
    areas = {
        "results": 10.0,
        "integrity": 20.0,
        "concern": 30.0,
        "value": 40.0,
        "communication": 90,
    }
    assert weakest(areas) == ("results", "integrity", "concern")
    assert weakest(areas, below=15) == ("results",)
    assert weakest({"results": 80.0}) == ()


def test_trend_compares_the_latest_score_with_the_one_before():
    assert trend([50.0]).direction == "first"
    assert trend([50.0, None, 70.0]).direction == "rising"
    assert trend([70.0, 50.0]).direction == "falling"
    assert trend([70.0, 50.0]).size == 20
    assert trend([70.0, 72.0]).direction == "steady"


def test_months_are_added_to_the_same_day_or_the_end_of_a_short_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)
    assert add_months(dt.date(2025, 12, 1), 12) == dt.date(2026, 12, 1)
    assert month_end(dt.date(2026, 2, 3)) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (None, None),
        (100, "strong"),
        (74.5, "strong"),
        (74.4, "fair"),
        (49.5, "fair"),
        (49.4, "weak"),
    ],
)
def test_a_health_score_s_band_is_read_from_the_score_as_shown(score, band):
    # shown as 75 it is strong, never "75, fair"
    assert health_band(score) == band
