"""The leadership dashboard, its CSV export and the analytics API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.analytics.factories import TimeEntryFactory
from tests.engagements.factories import EngagementFactory, MilestoneFactory
from tests.factories import ClientFactory
from tests.feedback.factories import SurveyResponseFactory
from trustledger.analytics import report

pytestmark = pytest.mark.django_db
DASHBOARD_QUERIES = 36  # session and membership included; the same for any firm size


def a_year_of_work(personas, clients=1, prefix="Extra"):
    """Time on Client A and `clients` more, all within the last 12 months."""
    day = timezone.localdate() - dt.timedelta(days=10)
    names = [personas.client_a] + [
        ClientFactory(workspace=personas.workspace_a, name=f"{prefix} {i}") for i in range(clients)
    ]
    for c in names:
        engagement = EngagementFactory(
            client=c, status="closed", closed_on=day, end_date=day, budget_amount=Decimal(5000)
        )
        MilestoneFactory(engagement=engagement, committed_date=day, delivered_on=day)
        TimeEntryFactory(engagement=engagement, date=day, hours=Decimal(10))
    SurveyResponseFactory(client=personas.client_a, score=10)


def test_the_dashboard_shows_the_headline_measures(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    response = client.get("/analytics/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Client retention rate" in body
    assert "Acme Secret Holdings" in body
    assert f"/clients/{personas.client_a.pk}/" in body
    assert "NPS" in body
    assert "Export CSV" in body


def test_the_dashboard_says_so_when_there_is_nothing_yet(client, personas):
    client.force_login(personas.alice)
    body = client.get("/analytics/?months=3").content.decode()
    assert "No time logged in this period" in body
    assert "no engagement closed in the period" in body


def test_the_dashboard_runs_a_fixed_number_of_queries(client, personas):
    a_year_of_work(personas, clients=1)
    client.force_login(personas.alice)
    client.get("/analytics/")  # warm the session and caches
    with CaptureQueriesContext(connection) as small_queries:
        small = client.get("/analytics/")
    a_year_of_work(personas, clients=20, prefix="More")
    with CaptureQueriesContext(connection) as large_queries:
        large = client.get("/analytics/?grain=quarter&segment=tier:standard")
    assert small.status_code == large.status_code == 200
    assert len(small_queries) == len(large_queries) <= DASHBOARD_QUERIES


def test_the_profitability_table_exports_as_csv(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    response = client.get("/analytics/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    acme, _extra = sorted(rows, key=lambda r: r["client"])
    assert acme["client"] == "Acme Secret Holdings"
    assert acme["hours"] == "10.00"
    assert acme["revenue"] == "1500.00"  # 10 h x 150
    assert acme["cost"] == "800.00"  # 10 h x 80
    assert acme["margin_pct"] == "46.7"
    assert acme["effort_share"] == "0.5000"


def test_a_formula_in_a_client_name_is_defused_in_the_csv(client, personas):
    evil = ClientFactory(workspace=personas.workspace_a, name="=HYPERLINK(1)")
    TimeEntryFactory(
        engagement=EngagementFactory(client=evil), date=timezone.localdate(), hours=Decimal(1)
    )
    client.force_login(personas.alice)
    body = client.get("/analytics/?format=csv").content.decode()
    assert "'=HYPERLINK(1)" in body


def test_the_api_returns_each_measure_with_its_definition_and_period(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    retention = client.get("/api/analytics/retention").json()
    assert "CRR = (E - N) / S" in retention["definition"]
    assert retention["period"]["end"] == timezone.localdate().isoformat()
    profit = client.get("/api/analytics/profitability?months=6").json()
    (acme,) = [c for c in profit["clients"] if c["client_id"] == personas.client_a.pk]
    assert acme["revenue"] == 1500
    assert profit["pareto"]["clients"] == 2
    success = client.get("/api/analytics/success-rates").json()
    assert success["engagements"] == 2
    assert success["on_time"] == 1
    assert success["all_three"] == 1


def test_a_stranger_sees_only_their_own_workspace(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.charlie)
    page = client.get("/analytics/").content.decode()
    exported = client.get("/analytics/?format=csv").content.decode()
    api = client.get("/api/analytics/profitability").content.decode()
    for body in (page, exported, api):
        assert "Acme Secret Holdings" not in body
        assert "Extra 0" not in body
    assert client.get("/api/analytics/success-rates").json()["engagements"] == 0


def test_an_anonymous_visitor_is_sent_to_sign_in(client, personas):
    assert client.get("/analytics/").status_code == 302
    assert client.get("/api/analytics/retention").status_code == 401


def test_the_dashboard_names_clients_that_take_far_more_effort_than_they_bring(client, personas):
    day = timezone.localdate()
    cheap = EngagementFactory(client=personas.other_client_a)
    TimeEntryFactory(engagement=cheap, date=day, hours=Decimal(30), bill_rate=Decimal(10))
    TimeEntryFactory(engagement=EngagementFactory(client=personas.client_a), date=day)
    client.force_login(personas.alice)
    body = client.get("/analytics/").content.decode()
    # Other Alpha Client: 30 of 38 hours (79%), 300 of 1500 billed (20%)
    assert "Taking far more effort" in body
    assert "Other Alpha Client</a> (79% of effort, 20% of revenue)" in body


@pytest.mark.parametrize("persona", ["amir", "sam"])
def test_only_owners_and_leaders_see_the_figures(client, personas, persona):
    a_year_of_work(personas)
    client.force_login(getattr(personas, persona))
    for url in ("/analytics/", "/analytics/drill/?measure=profitability", "/analytics/pdf/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/analytics/profitability").status_code == 403
    assert client.get("/api/analytics/nps").status_code == 403


DRILLS = [
    ("retention&which=at_end", "Acme Secret Holdings"),
    ("retention&which=lost", "Nothing here"),
    ("profitability", "Acme Secret Holdings"),
    ("revenue", "Nothing here"),
    ("repeat", "Acme Secret Holdings"),
    ("referrals", "Nothing here"),
    ("responses", "Nothing here"),
    ("success", "Acme Secret Holdings"),
    ("nps", "Acme Secret Holdings"),
    ("themes", "Nothing here"),
]


@pytest.mark.parametrize(("measure", "expected"), DRILLS)
def test_every_figure_drills_down_to_its_rows(client, personas, measure, expected):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    response = client.get(f"/analytics/drill/?measure={measure}&months=12")
    assert response.status_code == 200
    assert expected in response.content.decode()
    exported = client.get(f"/analytics/drill/?measure={measure}&format=csv")
    assert exported["Content-Type"].startswith("text/csv")


def test_the_dashboard_links_each_headline_to_its_drill_down(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    body = client.get("/analytics/?months=6").content.decode()
    for measure in ("retention", "revenue", "nps", "success", "repeat", "referrals", "responses"):
        assert f"/analytics/drill/?months=6&amp;measure={measure}" in body, measure


def test_a_drill_down_is_paginated(client, personas):
    for i in range(55):
        ClientFactory(workspace=personas.workspace_a, name=f"Bulk {i:02d}")
    client.force_login(personas.alice)
    body = client.get("/analytics/drill/?measure=retention&which=at_end").content.decode()
    assert "Page 1 of 2" in body
    assert "Bulk 53" not in body


def test_an_unknown_drill_down_is_not_found(client, personas):
    client.force_login(personas.alice)
    assert client.get("/analytics/drill/?measure=nope").status_code == 404
    assert client.get("/analytics/drill/?measure=retention&which=nope").status_code == 404
    assert client.get("/analytics/drill/?measure=nps&bucket=bad").status_code == 404


TABLES = [
    "trend",
    "profitability",
    "channels",
    "success_by_type",
    "success_by_lead",
    "nps_by_segment",
    "themes",
    "cohorts",
]


@pytest.mark.parametrize("table", TABLES)
def test_every_dashboard_table_exports_as_csv(client, personas, table):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    page = client.get("/analytics/").content.decode()
    assert f"table={table}" in page or table == "channels"  # channels: no inquiry yet
    response = client.get(f"/analytics/?format=csv&table={table}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert len(header) >= 3


def test_the_success_table_by_type_has_the_closed_engagements(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    response = client.get("/analytics/?format=csv&table=success_by_type")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["Closed"] == "2"  # Client A and Extra 0
    assert rows[0]["All three"] == "100%"


def test_the_dashboard_downloads_as_a_pdf(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    response = client.get("/analytics/pdf/?months=6&grain=quarter")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_bad_filters_fall_back_and_say_why(client, personas):
    client.force_login(personas.alice)
    body = client.get("/analytics/?months=7&segment=tier:gold&start=2026-05-01&end=x").content
    text = body.decode()
    assert "Choose 3, 6, 12, 24 months." in text
    assert "Unknown tier" in text
    assert "Give a start and an end date" in text


def test_a_segment_and_a_custom_period_narrow_the_dashboard(client, personas):
    a_year_of_work(personas, clients=1)
    personas.client_a.tier = "key"
    personas.client_a.save()
    client.force_login(personas.alice)
    start = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    end = timezone.localdate().isoformat()
    body = client.get(f"/analytics/?segment=tier:key&start={start}&end={end}&grain=quarter")
    text = body.content.decode()
    assert "Acme Secret Holdings" in text
    assert "Extra 0" not in text


API_ROUTES = [
    "retention",
    "revenue-retention",
    "profitability",
    "repeat-business",
    "referrals",
    "response-times",
    "success-rates",
    "nps",
    "feedback-themes",
    "retention-curves",
]


@pytest.mark.parametrize("route", API_ROUTES)
def test_every_measure_is_in_the_api_with_definition_period_and_segment(client, personas, route):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    response = client.get(f"/api/analytics/{route}?months=6&segment=tier:standard&grain=quarter")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["definition"]) > 40
    assert body["period"]["end"] == timezone.localdate().isoformat()
    assert body["segment"] == "tier:standard"


def test_the_api_refuses_bad_filters_with_their_location(client, personas):
    client.force_login(personas.alice)
    for query, field in (
        ("months=7", "months"),
        ("segment=tier:gold", "segment"),
        ("start=2026-01-01", "end"),
        ("start=2026-03-01&end=2026-01-01", "end"),
        ("grain=week", "grain"),
    ):
        response = client.get(f"/api/analytics/nps?{query}")
        assert response.status_code == 422, query
        assert field in response.json()["detail"][0]["loc"], query


def test_the_api_gives_revenue_retention_and_success_by_type(client, personas):
    a_year_of_work(personas)
    client.force_login(personas.alice)
    revenue = client.get("/api/analytics/revenue-retention").json()
    assert revenue["cohort"] == 0
    assert revenue["grr"] is None
    success = client.get("/api/analytics/success-rates").json()
    assert success["by_type"][0]["engagements"] == 2


def test_the_page_lists_the_clients_with_most_hours_and_the_csv_all_of_them(client, personas):
    day = timezone.localdate() - dt.timedelta(days=10)
    for i in range(report.PAGE_ROWS + 2):
        c = ClientFactory(workspace=personas.workspace_a, name=f"Busy {i:02d}")
        TimeEntryFactory(engagement=EngagementFactory(client=c), date=day, hours=Decimal(i + 1))
    client.force_login(personas.alice)

    page = client.get("/analytics/").content.decode()
    table = client.get("/analytics/?format=csv&table=profitability").content.decode()

    shown = report.PAGE_ROWS
    assert f"The {shown} clients with the most hours of {shown + 2}" in page
    assert "Busy 51" in page and "Busy 00" not in page.split('id="profitability"')[1]
    assert len(list(csv.DictReader(io.StringIO(table)))) == shown + 2
