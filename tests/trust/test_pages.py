import datetime as dt
from decimal import Decimal

import pytest

from tests.engagements.factories import EngagementFactory, MilestoneFactory, TimeEntryFactory
from trustledger.trust.models import Alert, TrustConfig
from trustledger.trust.services import take_snapshots

TODAY = dt.date.today()


def _at(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def scored(personas):
    e = EngagementFactory(
        client=personas.client_a,
        activated_on=TODAY - dt.timedelta(days=120),
        start_date=TODAY - dt.timedelta(days=120),
        end_date=TODAY + dt.timedelta(days=60),
    )
    MilestoneFactory(
        engagement=e,
        committed_date=TODAY - dt.timedelta(days=5),
        buffer_days=0,
        recorded_at=_at(TODAY - dt.timedelta(days=120)),
    )
    TimeEntryFactory(
        engagement=e,
        date=TODAY - dt.timedelta(days=3),
        hours=Decimal(4),
        recorded_at=_at(TODAY - dt.timedelta(days=3)),
    )
    for weeks in (3, 2, 1):
        take_snapshots(personas.workspace_a, TODAY - dt.timedelta(weeks=weeks), alerts=False)
    take_snapshots(personas.workspace_a, TODAY, kind="current")
    return e


@pytest.mark.django_db
def test_the_portfolio_lists_active_clients_with_their_band(client, personas, scored):
    client.force_login(personas.amir)
    body = client.get("/trust/").content.decode()
    assert "Acme Secret Holdings" in body and "Other Alpha Client" in body
    assert "Not enough data" in body
    at_risk = client.get("/trust/?band=not_enough_data").content.decode()
    assert "Acme Secret Holdings" in at_risk


@pytest.mark.django_db
def test_the_portfolio_uses_a_fixed_number_of_queries(
    client, personas, scored, django_assert_max_num_queries
):
    client.force_login(personas.amir)
    with django_assert_max_num_queries(12):
        client.get("/trust/")


@pytest.mark.django_db
def test_the_client_trust_page_shows_indicators_evidence_and_trend(client, personas, scored):
    client.force_login(personas.sam)
    body = client.get(f"/trust/clients/{personas.client_a.pk}/").content.decode()
    assert "On-time delivery" in body
    assert "not delivered" in body  # the evidence behind the on-time score
    assert "<svg" in body and "Trust index by week" in body
    assert "Milestone missed without notice" in body  # its open alert


@pytest.mark.django_db
def test_an_account_manager_resolves_an_alert_on_their_client(client, personas, scored):
    alert = Alert.objects.filter(client=personas.client_a).first()
    client.force_login(personas.amir)
    client.post(f"/trust/alerts/{alert.pk}/status/", {"status": "resolved"})
    alert.refresh_from_db()
    assert alert.status == "resolved"


@pytest.mark.django_db
def test_staff_cannot_resolve_alerts(client, personas, scored):
    alert = Alert.objects.filter(client=personas.client_a).first()
    client.force_login(personas.sam)
    assert (
        client.post(f"/trust/alerts/{alert.pk}/status/", {"status": "resolved"}).status_code == 403
    )


@pytest.mark.django_db
def test_an_owner_saves_a_new_configuration_version(client, personas):
    client.force_login(personas.alice)
    page = client.get("/trust/settings/")
    form = dict(page.context["form"].initial)
    form.update(weight_on_time=3, note="Deadlines matter most to our clients")
    response = client.post("/trust/settings/", form)
    assert response.status_code == 302
    assert (
        TrustConfig.objects.get(workspace=personas.workspace_a, version=2).weights["on_time"] == 3
    )


@pytest.mark.django_db
def test_bad_thresholds_are_shown_next_to_their_field(client, personas):
    client.force_login(personas.alice)
    form = dict(client.get("/trust/settings/").context["form"].initial)
    form.update(healthy_at=40, at_risk_below=60)
    body = client.post("/trust/settings/", form).content.decode()
    assert "Must not be above the healthy threshold" in body


@pytest.mark.django_db
def test_only_owners_change_the_configuration(client, personas):
    client.force_login(personas.amir)
    assert client.get("/trust/settings/").status_code == 403
