"""A contact sees their own client's shared engagements and nothing else: not another client's
(same firm), not another firm's, not an unshared engagement, not the firm's internals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import URLPattern, get_resolver

from tests.engagements.factories import ChangeRequestFactory, EngagementFactory, TimeEntryFactory
from tests.factories import ContactFactory
from tests.portal.helpers import open_portal, shared_engagement, sign_in_as, submitted_change
from trustledger.engagements.models import ChangeRequest
from trustledger.reports import services as reports


def portal_routes() -> list[str]:
    resolver = get_resolver().url_patterns
    portal = next(r for r in resolver if str(r.pattern) == "portal/")
    return [str(p.pattern) for p in portal.url_patterns if isinstance(p, URLPattern)]


@pytest.fixture
def acme(personas):
    """Client A's portal is open with one shared engagement and a change request to decide."""
    open_portal(personas.client_a)
    engagement = shared_engagement(personas.client_a, name="Acme Secret Engagement")
    return engagement, submitted_change(engagement, title="Acme Secret Change")


def a_urls(engagement, cr, personas) -> list[str]:
    """Every portal URL that names one of A's objects."""
    urls = []
    draft = reports.draft_report(engagement.client, engagement=engagement, by=personas.amir)
    report = reports.send_report(draft, by=personas.amir, contacts=[personas.contact_a])
    values = {
        "<int:report_id>": report.pk,
        "<int:engagement_id>": engagement.pk,
        "<int:change_request_id>": cr.pk,
        "<int:client_id>": personas.client_a.pk,
    }
    for route in portal_routes():
        if "<str:token>" in route:
            continue
        for param, value in values.items():
            route = route.replace(param, str(value))
        assert "<" not in route, route
        if "/" in route.rstrip("/") and any(str(v) in route for v in values.values()):
            urls.append("/portal/" + route)
    return urls


def assert_nothing_of_a(response, personas) -> None:
    body = response.content.decode()
    for secret in ("Acme Secret", personas.contact_a.email):
        assert secret not in body, (response.request["PATH_INFO"], secret)


@pytest.mark.django_db
@pytest.mark.parametrize("stranger", ["same_firm_other_client", "other_firm"])
def test_a_contact_of_another_client_reaches_nothing_of_a(client, personas, acme, stranger):
    engagement, cr = acme
    other = personas.other_client_a if stranger == "same_firm_other_client" else personas.client_b
    open_portal(other)
    shared_engagement(other, name="Own Work")
    contact = ContactFactory(client=other, name="Olga Other")
    sign_in_as(client, contact)

    urls = a_urls(engagement, cr, personas)
    assert len(urls) >= 7  # engagement, change request, report, and the firm's four routes
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"decision": "approve", "enabled": "on"})
            assert response.status_code in (302, 403, 404, 405), (method, url)
            if response.status_code == 302:  # the firm routes send a non-member to sign in
                assert response["Location"].startswith("/login/"), (method, url)
            assert_nothing_of_a(response, personas)
    for page in ("/portal/home/", "/portal/ask/", "/portal/feedback/"):
        response = client.get(page)
        assert response.status_code == 200
        assert b"Own Work" in response.content or page != "/portal/home/"
        assert_nothing_of_a(response, personas)
    cr.refresh_from_db()
    assert cr.status == "submitted"


@pytest.mark.django_db
def test_a_contact_cannot_decide_or_ask_about_another_clients_objects_by_posting_ids(
    client, personas, acme
):
    engagement, _ = acme
    open_portal(personas.other_client_a)
    contact = ContactFactory(client=personas.other_client_a)
    sign_in_as(client, contact)
    response = client.post("/portal/ask/", {"subject": "Hi", "engagement": engagement.pk})
    assert response.status_code == 400
    response = client.post("/portal/feedback/", {"score": 9, "engagement": engagement.pk})
    assert response.status_code == 400
    assert_nothing_of_a(response, personas)


@pytest.mark.django_db
def test_an_unshared_engagement_and_draft_changes_stay_invisible(client, personas, acme):
    engagement, _ = acme
    hidden = EngagementFactory(client=personas.client_a, name="Hidden Internal Work")
    TimeEntryFactory(engagement=hidden, hours=Decimal(5), cost_rate=Decimal(77))
    hidden_cr = submitted_change(hidden, title="Hidden change")
    draft = ChangeRequestFactory(engagement=engagement, title="Draft idea", status="draft")
    sign_in_as(client, personas.contact_a)

    home = client.get("/portal/home/").content.decode()
    assert "Acme Secret Engagement" in home and "Hidden Internal Work" not in home
    assert "Hidden change" not in home
    assert client.get(f"/portal/engagements/{hidden.pk}/").status_code == 404
    assert client.get(f"/portal/change-requests/{hidden_cr.pk}/").status_code == 404
    assert client.get(f"/portal/change-requests/{draft.pk}/").status_code == 404
    assert (
        client.post(f"/portal/change-requests/{hidden_cr.pk}/", {"decision": "approve"}).status_code
        == 404
    )
    page = client.get(f"/portal/engagements/{engagement.pk}/").content.decode()
    assert "Draft idea" not in page
    ask = client.get("/portal/ask/").content.decode()
    assert "Hidden Internal Work" not in ask
    assert ChangeRequest.objects.get(pk=hidden_cr.pk).status == "submitted"


@pytest.mark.django_db
def test_the_portal_never_shows_costs_trust_or_internal_notes(client, personas, acme):
    engagement, _ = acme
    TimeEntryFactory(
        engagement=engagement, hours=Decimal(3), cost_rate=Decimal("61.37"), note="Internal ZZNOTE"
    )
    sign_in_as(client, personas.contact_a)
    page = client.get(f"/portal/engagements/{engagement.pk}/").content.decode()
    for internal in ("61.37", "ZZNOTE", "Trust index", "trust index", "CPI", "margin", "at cost"):
        assert internal not in page, internal
    assert "£1,950 of £60,000" in page  # burned at the agreed (bill) rates, in its currency
    assert "£1,040" not in page  # the same hours at cost


@pytest.mark.django_db
def test_budget_figures_can_be_withheld(client, personas, acme):
    engagement, _ = acme
    engagement.portal_shows_budget = False
    engagement.save()
    sign_in_as(client, personas.contact_a)
    page = client.get(f"/portal/engagements/{engagement.pk}/").content.decode()
    assert "Budget burn" not in page and "£60,000" not in page
    assert "Milestones: committed and forecast" in page
