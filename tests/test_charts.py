"""The SVG charts: valid markup, one mark per data point, labels that read without colour."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from trustledger.charts import (
    BurnPoint,
    TimelineItem,
    burn_chart,
    cumulative_weeks,
    format_compact,
    format_money,
    milestone_timeline,
    nice_step,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 5, 20)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if cls in (el.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def weeks(n: int, per_week: float = 2_500.0) -> list[BurnPoint]:
    return [BurnPoint(MONDAY + dt.timedelta(weeks=i), per_week * (i + 1)) for i in range(n)]


def a_burn_chart(**options: object) -> ET.Element:
    defaults: dict[str, object] = {
        "budget": 60_000.0,
        "start": MONDAY,
        "end": dt.date(2026, 6, 26),
        "currency": "EUR",
        "eac": 72_500.0,
    }
    points = options.pop("points", weeks(20))
    return parse(burn_chart(points, **(defaults | options)))  # type: ignore[arg-type]


MILESTONES = [
    TimelineItem("Discovery", dt.date(2026, 1, 30), 3, delivered=dt.date(2026, 1, 29)),
    TimelineItem("Migration plan", dt.date(2026, 2, 27), 5, delivered=dt.date(2026, 3, 12)),
    TimelineItem("Pilot", dt.date(2026, 4, 10), 5, forecast=dt.date(2026, 4, 13)),
    TimelineItem("Go-live", dt.date(2026, 5, 15), 7, forecast=dt.date(2026, 6, 5), announced=True),
    TimelineItem("Hypercare", dt.date(2026, 6, 20)),
]


def a_timeline(items: list[TimelineItem] = MILESTONES, **options: object) -> ET.Element:
    return parse(milestone_timeline(items, today=TODAY, **options))  # type: ignore[arg-type]


# --- budget burn -------------------------------------------------------------------------------


@pytest.mark.parametrize("narrow", [False, True])
def test_the_burn_chart_is_valid_svg_with_one_bar_a_week(narrow):
    root = a_burn_chart(narrow=narrow)
    assert root.tag == f"{SVG}svg"
    assert len(by_class(root, "bar")) == 20
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") == "100%"


def test_the_burn_chart_names_itself_for_screen_readers():
    root = a_burn_chart()
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == root.get("aria-label")
    assert title.text == "Budget burn: €50,000 of €60,000 burned (83%)"
    assert root.get("role") == "img"
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Forecast at completion €72,500" in (desc.text or "")


def test_the_budget_is_a_solid_labelled_line_and_the_forecast_a_dashed_one():
    root = a_burn_chart()
    (budget,) = by_class(root, "budget")
    (forecast,) = by_class(root, "eac")
    assert budget.get("stroke-dasharray") is None
    assert forecast.get("stroke-dasharray")
    assert "Budget €60,000" in texts(root)
    assert "Forecast €72,500" in texts(root)
    assert {"Burned to date", "Budget", "Forecast at completion"} <= set(texts(root))


def test_the_forecast_runs_to_the_end_date():
    root = a_burn_chart()
    (forecast,) = by_class(root, "eac")
    (point,) = by_class(root, "eac-point")
    assert forecast.get("x2") == point.get("cx")
    assert float(forecast.get("x1", 0)) < float(forecast.get("x2", 0))


def test_weeks_over_budget_are_hatched_not_only_red():
    root = a_burn_chart(points=weeks(30))  # 2,500 a week: over 60,000 from week 25 on
    over = by_class(root, "bar-over")
    assert len(over) == 30 - 24
    assert all(bar.get("fill", "").startswith("url(#") for bar in over)


def test_without_a_forecast_there_is_no_dashed_line():
    root = a_burn_chart(eac=None)
    assert by_class(root, "eac") == []
    assert "No forecast yet." in (root.findtext(f"{SVG}desc") or "")


def test_an_empty_burn_chart_still_renders():
    root = a_burn_chart(points=[], eac=None, budget=0.0)
    assert by_class(root, "bar") == []


def test_labels_are_escaped():
    root = a_burn_chart(currency="<b>")
    assert root.tag == f"{SVG}svg"  # parsed, so nothing leaked into the markup


def test_cumulative_weeks_adds_up_and_fills_quiet_weeks():
    amounts = {MONDAY: 100.0, MONDAY + dt.timedelta(days=16): 50.0}  # week 1 and week 3
    points = cumulative_weeks(amounts, MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(28))
    assert [p.amount for p in points] == [100.0, 100.0, 150.0, 150.0, 150.0]
    assert points[0].week == MONDAY


def test_cumulative_weeks_runs_to_the_last_amount_if_it_is_later():
    amounts = {MONDAY + dt.timedelta(weeks=3): 10.0}
    assert len(cumulative_weeks(amounts, MONDAY, MONDAY)) == 4


# --- milestone timeline ------------------------------------------------------------------------


@pytest.mark.parametrize("narrow", [False, True])
def test_the_timeline_has_one_row_per_milestone_with_its_name(narrow):
    root = a_timeline(narrow=narrow)
    assert root.tag == f"{SVG}svg"
    assert len(by_class(root, "milestone")) == 5
    assert len(by_class(root, "committed")) == 5 + 1  # one per row, one in the legend
    for name in ("Discovery", "Migration plan", "Pilot", "Go-live", "Hypercare"):
        assert name in texts(root)


def test_late_beyond_the_buffer_is_marked_and_says_how_late():
    root = a_timeline()
    late = by_class(root, "late")
    assert len(late) == 3  # migration plan (13 d), pilot (overdue), go-live (forecast 21 d)
    assert "13 d late" in texts(root)
    assert "Overdue 40 d" in texts(root)
    assert "Forecast 21 d late" in texts(root)
    assert "On time" in texts(root)


def test_an_announced_slip_is_flagged_and_says_so():
    root = a_timeline()
    assert len(by_class(root, "notice-flag")) == 1 + 1  # go-live, and the legend
    assert "told in advance" in texts(root)
    assert "no advance notice" in texts(root)


def test_delivered_and_forecast_markers_differ_in_shape_and_fill():
    root = a_timeline()
    delivered = by_class(root, "delivered")
    forecast = by_class(root, "forecast")
    assert {el.get("fill") for el in forecast} == {"#fff"}  # hollow
    assert all(el.get("fill") != "#fff" for el in delivered)  # filled
    slips = by_class(root, "slip")
    assert any(el.get("stroke-dasharray") for el in slips)  # forecast: dashed


def test_the_timeline_title_counts_the_late_milestones():
    root = a_timeline()
    assert root.get("aria-label") == "Milestone timeline: 5 milestones, 3 late beyond their buffer"
    assert "Go-live: due 15 May 2026, Forecast 21 d late, told in advance" in (
        root.findtext(f"{SVG}desc") or ""
    )


def test_a_cancelled_milestone_has_no_outcome():
    root = a_timeline([TimelineItem("Old", dt.date(2026, 3, 1), cancelled=True)])
    assert "Cancelled" in texts(root)
    assert by_class(root, "outcome") == []


def test_long_names_are_shortened_but_kept_whole_in_the_tooltip():
    name = "A milestone with a name far too long for its column"
    root = a_timeline([TimelineItem(name, dt.date(2026, 3, 1))])
    assert name not in texts(root)
    (row,) = by_class(root, "milestone")
    assert (row.findtext(f"{SVG}title") or "").startswith(name)


def test_an_empty_timeline_still_renders():
    assert by_class(a_timeline([]), "milestone") == []


def test_two_charts_on_a_page_have_distinct_ids():
    wide, narrow = a_timeline(), a_timeline(chart_id="t2", narrow=True)
    assert wide.get("id") != narrow.get("id")
    assert narrow.get("viewBox", "").split()[2] == "400"


# --- formatting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (60000, "EUR", "€60,000"),
        (-1250.5, "GBP", "-£1,250"),
        (12000, "sek", "12,000 SEK"),
    ],
)
def test_money_uses_the_currency(amount, currency, expected):
    assert format_money(amount, currency) == expected


def test_compact_amounts_for_axes():
    assert format_compact(60_000, "EUR") == "€60k"
    assert format_compact(1_250_000, "USD") == "$1.2M"
    assert format_compact(500, "EUR") == "€500"
    assert format_compact(20_000, "CHF") == "20k CHF"


@pytest.mark.parametrize(("span", "step"), [(100, 20), (72_000, 20_000), (7, 2), (0, 1)])
def test_nice_steps(span, step):
    assert nice_step(span) == step
