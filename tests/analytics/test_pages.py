"""The leadership dashboard, its CSV export and the analytics API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.engagements.factories import EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.factories import ClientFactory
from tests.feedback.factories import SurveyResponseFactory

pytestmark = pytest.mark.django_db


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
    client.force_login(personas.amir)
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


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    a_year_of_work(personas, clients=1)
    client.force_login(personas.alice)
    client.get("/analytics/")  # warm the session and caches
    with django_assert_max_num_queries(13):
        small = client.get("/analytics/")
    a_year_of_work(personas, clients=20, prefix="More")
    with django_assert_max_num_queries(13):
        large = client.get("/analytics/")
    assert small.status_code == large.status_code == 200


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
