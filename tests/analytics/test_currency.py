"""Money in one currency at a time: sums across engagements never add unlike currencies.

Issue 14: "Analytics adds EUR, GBP and USD engagements together and labels the sum EUR." Every
sum across engagements is in the workspace's base currency: amounts in another convert at the
rate of the month they are dated in (its last day's, the latest on or before it); an amount no
rate converts is left out and the page says so. One engagement's figures keep its currency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.analytics.factories import TimeEntryFactory
from tests.analytics.test_pages import DASHBOARD_QUERIES
from tests.engagements.factories import EngagementFactory
from tests.factories import ClientFactory
from tests.money.factories import ExchangeRateFactory
from trustledger.analytics import report, selectors
from trustledger.analytics.selectors import Period
from trustledger.engagements import services as engagements
from trustledger.engagements.models import TimeEntry
from trustledger.scoring.currency import month_rate_date

pytestmark = pytest.mark.django_db
D = dt.date
MARCH = Period(D(2026, 3, 1), D(2026, 3, 31))


def work(client, currency, *, on=None, hours=10, bill=100, cost=40, **engagement):
    engagement = EngagementFactory(client=client, currency=currency, **engagement)
    TimeEntryFactory(
        engagement=engagement,
        date=on or D(2026, 3, 10),
        hours=Decimal(hours),
        bill_rate=Decimal(bill),
        cost_rate=Decimal(cost),
    )
    return engagement


def rate(workspace, currency, on, value):
    return ExchangeRateFactory(workspace=workspace, currency=currency, date=on, rate=Decimal(value))


# --- the defect, reproduced --------------------------------------------------------------------


def test_usd_work_without_a_rate_is_not_added_to_euro_revenue(personas):
    work(personas.client_a, "EUR")  # 1,000 EUR billed
    work(personas.client_a, "USD")  # 1,000 USD billed: no rate to EUR is known

    profit = selectors.profitability(personas.workspace_a, MARCH)

    [row] = profit.rows
    assert row.profit.revenue == 1000.0
    assert row.profit.cost == 400.0
    assert row.profit.hours == 20.0  # hours are no money: all of them count
    [gap] = profit.missing
    assert (gap.currency, gap.month, gap.billed, gap.cost) == ("USD", D(2026, 3, 1), 1000, 400)
    assert gap.text.startswith("No rate for USD on 31 Mar 2026 (to EUR): 1,000 USD billed")


def test_the_dashboard_labels_sums_with_the_base_currency_not_the_most_used_one(client, personas):
    day = timezone.localdate() - dt.timedelta(days=3)
    for _ in range(2):
        work(personas.client_a, "USD", on=day)
    work(personas.client_a, "EUR", on=day)
    client.force_login(personas.alice)

    body = client.get("/analytics/").content.decode()

    assert "Revenue (EUR)" in body
    assert "Revenue (USD)" not in body


# --- converting ------------------------------------------------------------------------------


def test_a_months_work_converts_at_the_latest_rate_on_or_before_its_last_day(personas):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 3, 1), "0.90")
    rate(ws, "USD", D(2026, 3, 31), "0.80")  # the month's rate
    rate(ws, "USD", D(2026, 4, 1), "0.70")
    work(personas.client_a, "EUR")
    work(personas.client_a, "USD", on=D(2026, 3, 2))

    [row] = selectors.profitability(ws, MARCH).rows

    assert row.profit.revenue == 1800.0  # 1,000 EUR + 1,000 USD x 0.80
    assert row.profit.cost == 720.0  # 400 EUR + 400 USD x 0.80
    assert row.profit.margin_pct == 60.0


def test_a_month_without_a_rate_of_its_own_uses_the_latest_before_it(personas):
    ws = personas.workspace_a
    rate(ws, "GBP", D(2026, 1, 15), "1.17")
    work(personas.client_a, "GBP")

    [row] = selectors.profitability(ws, MARCH).rows

    assert row.profit.revenue == 1170.0
    assert selectors.profitability(ws, MARCH).missing == ()


def test_each_client_and_the_whole_portfolio_are_in_the_base_currency(personas):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 3, 1), "0.5")
    work(personas.client_a, "USD")  # 500 EUR
    work(personas.other_client_a, "EUR", hours=15)  # 1,500 EUR

    profit = selectors.profitability(ws, MARCH)

    revenue = {r.client: r.profit.revenue for r in profit.rows}
    assert revenue == {"Acme Secret Holdings": 500.0, "Other Alpha Client": 1500.0}
    shares = {r.client: r.profit.revenue_share for r in profit.rows}
    assert shares == {"Acme Secret Holdings": 0.25, "Other Alpha Client": 0.75}
    assert profit.currency == "EUR"


def entries_in_base(workspace, start, end):
    """The reference: every time entry of the period converted alone at its month's rate."""
    from trustledger.money.selectors import rates_for

    rates = rates_for(workspace, {"USD", "GBP"}, D(2000, 1, 1), D(2100, 1, 1))
    total = Decimal(0)
    for entry in TimeEntry.objects.filter(date__range=(start, end)).select_related("engagement"):
        day = month_rate_date(entry.date)
        total += rates.convert(entry.hours * entry.bill_rate, entry.engagement.currency, day)
    return float(total)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2026, 3, 1), D(2026, 4, 30)),  # whole months: the roll-up only
        (D(2026, 3, 10), D(2026, 4, 20)),  # edge days added from the entries
        (D(2026, 3, 5), D(2026, 4, 28)),  # whole months minus a few edge days
        (D(2026, 3, 12), D(2026, 3, 12)),  # one day
    ],
)
def test_periods_cut_inside_months_equal_the_sum_over_the_entries_converted(personas, start, end):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 2, 27), "0.93")
    rate(ws, "USD", D(2026, 3, 31), "0.91")
    rate(ws, "USD", D(2026, 4, 30), "0.87")
    rate(ws, "GBP", D(2026, 3, 15), "1.16")
    for currency in ("EUR", "USD", "GBP"):
        engagement = EngagementFactory(client=personas.client_a, currency=currency)
        for day in (1, 4, 10, 12, 19, 25, 31, 33, 40, 52, 58, 60):
            TimeEntryFactory(
                engagement=engagement,
                date=D(2026, 3, 1) + dt.timedelta(days=day - 1),
                hours=Decimal(day % 7 + 1),
                bill_rate=Decimal(100 + day),
            )

    revenue = selectors.client_revenue(ws, Period(start, end))
    trend = selectors.revenue_trend(ws, Period(start, end), selectors.ALL, "month")

    expected = entries_in_base(ws, start, end)
    assert revenue.economics[0].revenue == pytest.approx(expected, abs=1e-6)
    assert sum(p.revenue for p in trend.values()) == pytest.approx(expected, abs=1e-6)
    assert revenue.missing == ()


def test_the_revenue_trend_converts_each_month_at_its_own_rate(personas):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 3, 1), "0.8")
    rate(ws, "USD", D(2026, 4, 1), "0.6")
    engagement = work(personas.client_a, "USD")  # March: 800
    TimeEntryFactory(engagement=engagement, date=D(2026, 4, 10), hours=Decimal(10))  # 1,500 x 0.6

    trend = selectors.revenue_trend(
        ws, Period(D(2026, 3, 1), D(2026, 4, 30)), selectors.ALL, "month"
    )

    assert {month: p.revenue for month, p in trend.items()} == {
        D(2026, 3, 1): 800.0,
        D(2026, 4, 1): 900.0,
    }


def test_revenue_retention_compares_both_periods_in_the_base_currency(personas):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 1, 1), "0.5")
    engagement = work(personas.client_a, "USD", on=D(2026, 2, 10))  # before: 500 EUR
    TimeEntryFactory(engagement=engagement, date=D(2026, 3, 10), hours=Decimal(4), bill_rate=100)

    r = selectors.revenue_retention(ws, MARCH)  # previous period: 1 to 28 Feb

    assert (r.start_revenue, r.kept_revenue) == (500.0, 200.0)
    assert r.grr == pytest.approx(0.4)


def test_a_base_other_than_the_euro_converts_euro_work_too(personas):
    ws = personas.workspace_a
    ws.base_currency = "GBP"
    ws.save()
    rate(ws, "EUR", D(2026, 3, 1), "0.85")
    work(personas.client_a, "EUR")
    work(personas.client_a, "GBP")

    profit = selectors.profitability(ws, MARCH)

    assert profit.rows[0].profit.revenue == 1850.0
    assert profit.currency == "GBP"


def test_an_engagement_judged_within_budget_stays_in_its_own_currency(personas):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 3, 1), "2.0")  # 1,000 USD billed would be 2,000 EUR
    work(
        personas.client_a,
        "USD",
        status="closed",
        closed_on=D(2026, 3, 20),
        budget_amount=Decimal(1200),  # USD
    )

    success = selectors.success_rates(ws, MARCH)

    assert success.rates.within_budget == 1.0


def test_changing_an_engagements_currency_moves_its_amounts(personas, pipeline):
    ws = personas.workspace_a
    rate(ws, "USD", D(2026, 3, 1), "0.5")
    engagement = work(personas.client_a, "EUR")
    with pipeline():
        engagements.update_engagement(engagement, by=personas.alice, currency="USD")

    [row] = selectors.profitability(ws, MARCH).rows
    assert row.profit.revenue == 500.0


# --- saying so on every surface ----------------------------------------------------------------


def recent_mixed_work(personas):
    """EUR and USD work ten days ago; USD has no rate."""
    day = timezone.localdate() - dt.timedelta(days=10)
    work(personas.client_a, "EUR", on=day)
    work(personas.client_a, "USD", on=day)
    return day


def test_the_dashboard_says_which_amounts_no_rate_converts_and_where_to_add_rates(client, personas):
    day = recent_mixed_work(personas)
    client.force_login(personas.alice)

    body = client.get("/analytics/").content.decode()

    assert 'id="missing-rates"' in body
    assert f"No rate for USD on {month_rate_date(day).day} {day:%b %Y} (to EUR)" in body
    assert "1,000 USD billed" in body
    assert 'href="/settings/currency/"' in body
    assert "Amounts in EUR, the base currency" in body


def test_the_dashboard_shows_no_warning_once_a_rate_converts_everything(client, personas):
    day = recent_mixed_work(personas)
    rate(personas.workspace_a, "USD", day.replace(day=1) - dt.timedelta(days=40), "0.9")
    client.force_login(personas.alice)
    body = client.get("/analytics/").content.decode()
    assert 'id="missing-rates"' not in body
    assert "1,900" in body  # 1,000 EUR + 1,000 USD x 0.9


def test_the_profitability_drill_down_says_so_too(client, personas):
    day = recent_mixed_work(personas)
    work(personas.client_a, "EUR", on=day - dt.timedelta(days=370))  # the previous period
    client.force_login(personas.alice)
    for measure in ("profitability", "revenue"):
        body = client.get(f"/analytics/drill/?measure={measure}").content.decode()
        assert 'id="missing-rates"' in body, measure
    body = client.get("/analytics/drill/?measure=revenue").content.decode()
    assert "Revenue before (EUR)" in body


def test_the_csv_exports_name_the_currency(client, personas):
    recent_mixed_work(personas)
    client.force_login(personas.alice)
    rows = list(csv.DictReader(io.StringIO(client.get("/analytics/?format=csv").content.decode())))
    assert [(r["revenue"], r["currency"]) for r in rows] == [("1000.00", "EUR")]
    table = client.get("/analytics/?format=csv&table=profitability").content.decode()
    assert table.splitlines()[0].startswith("Client,Hours,Revenue (EUR),Cost (EUR),Margin (EUR)")


def test_the_pdf_names_the_currency_and_what_is_left_out(client, personas, tmp_path, poppler):
    recent_mixed_work(personas)
    client.force_login(personas.alice)
    pdf = tmp_path / "analytics.pdf"
    pdf.write_bytes(client.get("/analytics/pdf/").content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "amounts in EUR" in text
    assert "No rate for USD on" in text


def test_the_api_gives_the_currency_and_the_missing_rates_of_every_money_measure(client, personas):
    recent_mixed_work(personas)
    client.force_login(personas.alice)
    for route in ("profitability", "revenue-retention", "repeat-business", "referrals"):
        body = client.get(f"/api/analytics/{route}").json()
        assert body["currency"] == "EUR", route
        [gap] = body["missing_rates"]
        assert (gap["currency"], gap["base"], gap["billed"]) == ("USD", "EUR", 1000.0), route
        assert gap["text"].startswith("No rate for USD on"), route
        assert "base currency" in body["definition"], route
    profit = client.get("/api/analytics/profitability").json()
    assert profit["clients"][0]["revenue"] == 1000.0


def test_the_dashboard_runs_a_fixed_number_of_queries_with_work_in_several_currencies(
    client, personas
):
    day = recent_mixed_work(personas)
    rate(personas.workspace_a, "USD", day - dt.timedelta(days=400), "0.9")
    client.force_login(personas.alice)
    client.get("/analytics/")
    with CaptureQueriesContext(connection) as small_queries:
        small = client.get("/analytics/")
    for i in range(10):
        other = ClientFactory(workspace=personas.workspace_a, name=f"Client {i}")
        work(other, ("USD", "GBP", "EUR")[i % 3], on=day - dt.timedelta(days=40 * i))
    with CaptureQueriesContext(connection) as large_queries:
        large = client.get("/analytics/")
    assert small.status_code == large.status_code == 200
    # the rates, read once for the page, take the place of the old "most used currency" query
    assert len(small_queries) == len(large_queries) <= DASHBOARD_QUERIES
    dashboard = report.build(
        personas.workspace_a, report.parse_filters({}, today=day), now=timezone.now()
    )
    assert {m.currency for m in dashboard.missing} == {"GBP"}
