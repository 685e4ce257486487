"""The demo firm shows transparency: some clients have the portal open, shared engagements, and
the status reports already sent to them."""

import datetime as dt

import pytest

from trustledger.demo import generate_demo_firm
from trustledger.engagements.models import Engagement
from trustledger.portal.models import ClientPortal
from trustledger.reports.models import StatusReport

TODAY = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_the_demo_firm_opens_the_portal_to_a_few_clients_with_their_reports():
    ws = generate_demo_firm(seed=7, today=TODAY)
    portals = ClientPortal.objects.for_workspace(ws).filter(enabled=True)
    assert portals.count() == 3
    shared = Engagement.objects.for_workspace(ws).filter(portal_shared=True)
    assert shared.exists()
    assert {e.client_id for e in shared} == {p.client_id for p in portals}
    sent = StatusReport.objects.for_workspace(ws).filter(status="sent")
    assert {r.engagement_id for r in sent} == {e.pk for e in shared}
    assert all(r.interaction_id and r.recipients for r in sent)
