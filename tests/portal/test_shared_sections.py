"""What the firm shares beyond engagements: sent status reports and recovery plans."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ContactFactory
from tests.portal.helpers import open_portal, shared_engagement, sign_in_as
from tests.recovery.factories import GoalFactory, RecoveryPlanFactory, UpdateFactory
from trustledger.reports import services as reports

pytestmark = pytest.mark.django_db


def _sent_report(personas, engagement):
    draft = reports.draft_report(engagement.client, engagement=engagement, by=personas.amir)
    return reports.send_report(draft, by=personas.amir, contacts=[personas.contact_a])


def test_a_sent_report_on_a_shared_engagement_is_readable_in_the_portal(client, personas):
    open_portal(personas.client_a)
    engagement = shared_engagement(personas.client_a, name="Ledger rollout")
    report = _sent_report(personas, engagement)
    reports.draft_report(personas.client_a, engagement=engagement, by=personas.amir)  # a draft
    sign_in_as(client, personas.contact_a)

    home = client.get("/portal/home/").content.decode()
    assert f"/portal/reports/{report.pk}/" in home
    assert home.count("/portal/reports/") == 2  # the one sent report and "All reports"
    page = client.get(f"/portal/reports/{report.pk}/")
    assert page.status_code == 200 and "Ledger rollout" in page.content.decode()
    assert (
        f"/portal/reports/{report.pk}/"
        in client.get(f"/portal/engagements/{engagement.pk}/").content.decode()
    )


def test_reports_of_unshared_engagements_and_other_clients_stay_hidden(client, personas):
    open_portal(personas.client_a)
    hidden = shared_engagement(personas.client_a, name="Internal audit", portal_shared=False)
    report = _sent_report(personas, hidden)
    sign_in_as(client, personas.contact_a)
    assert "Internal audit" not in client.get("/portal/home/").content.decode()
    assert client.get(f"/portal/reports/{report.pk}/").status_code == 404

    open_portal(personas.other_client_a)
    client.post("/portal/sign-out/")
    sign_in_as(client, ContactFactory(client=personas.other_client_a))
    shared = shared_engagement(personas.client_a, name="Shared rollout")
    assert client.get(f"/portal/reports/{_sent_report(personas, shared).pk}/").status_code == 404


def test_a_shared_recovery_plan_shows_its_goals_and_updates_but_nothing_internal(client, personas):
    open_portal(personas.client_a)
    plan = RecoveryPlanFactory(
        client=personas.client_a,
        title="Back on schedule",
        shared_with_client=True,
        acknowledge_notes="Internal: the PM was overloaded",
    )
    GoalFactory(plan=plan, measure="Milestones on time", target="3 of 3")
    UpdateFactory(
        plan=plan,
        summary="Week 1: new PM in place",
        shared_in_portal=True,
        sent_on=dt.date(2026, 1, 12),
    )
    RecoveryPlanFactory(client=personas.client_a, title="Quiet internal plan")
    sign_in_as(client, personas.contact_a)
    home = client.get("/portal/home/").content.decode()
    assert "Back on schedule" in home and "Milestones on time" in home
    assert "Week 1: new PM in place" in home
    assert "overloaded" not in home and "Quiet internal plan" not in home
