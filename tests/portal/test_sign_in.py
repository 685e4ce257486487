"""Signing in by e-mailed link: a real SMTP round trip, single use, expiry, rate limit, no
enumeration, and a session kept apart from the firm's sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ContactFactory
from tests.portal.helpers import open_portal, sign_in_as, token_in
from tests.smtp import text_part
from trustledger.portal import services, session
from trustledger.portal.models import ContactAccess, MagicLink
from trustledger.workspaces.models import AuditEntry


def ask_for_link(client, email: str, ip: str = "203.0.113.5"):
    return client.post("/portal/", {"email": email}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_a_contact_signs_in_with_the_link_mailed_through_a_real_smtp_server(
    client, personas, smtp_server
):
    open_portal(personas.client_a)
    response = ask_for_link(client, personas.contact_a.email.upper())
    assert response.status_code == 302 and response["Location"] == "/portal/sent/"

    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == [personas.contact_a.email]
    assert "Alpha Advisors" in message["Subject"]
    token = token_in(text_part(message))
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    link = MagicLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(MagicLink.objects.values_list().get())  # only the hash is stored

    page = client.get(f"/portal/link/{token}/")  # opening the link alone signs nobody in
    assert page.status_code == 200 and b"Sign in to the portal" in page.content
    assert client.get("/portal/home/").status_code == 302

    response = client.post(f"/portal/link/{token}/")
    assert response["Location"] == "/portal/home/"
    home = client.get("/portal/home/")
    assert home.status_code == 200
    assert b"Acme Secret Holdings" in home.content and b"Alpha Advisors" in home.content
    assert ContactAccess.objects.get(contact=personas.contact_a).last_signed_in_at is not None
    entry = AuditEntry.objects.get(action="portal.signed_in")
    assert entry.actor is None and entry.actor_label == "Ada Contact (client portal)"


@pytest.mark.django_db
def test_a_link_works_once(client, personas):
    open_portal(personas.client_a)
    issued = services.issue_link(personas.contact_a)
    assert client.post(f"/portal/link/{issued.token}/").status_code == 302
    client.post("/portal/sign-out/")

    again = client.post(f"/portal/link/{issued.token}/")
    assert again.status_code == 410 and b"used already" in again.content
    assert client.get("/portal/home/").status_code == 302
    assert client.get(f"/portal/link/{issued.token}/").status_code == 410


@pytest.mark.django_db
def test_a_link_expires_after_fifteen_minutes(client, personas):
    open_portal(personas.client_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        issued = services.issue_link(personas.contact_a)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert client.get(f"/portal/link/{issued.token}/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = client.post(f"/portal/link/{issued.token}/")
        assert response.status_code == 410 and b"expired" in response.content
        assert client.get("/portal/home/").status_code == 302


@pytest.mark.django_db
def test_an_unknown_token_is_refused_without_an_error(client, personas):
    assert client.get("/portal/link/not-a-real-token/").status_code == 410
    assert client.post("/portal/link/not-a-real-token/").status_code == 410
    assert client.post("/portal/link/" + "x" * 300 + "/").status_code == 410


@pytest.mark.django_db
def test_the_page_answers_the_same_for_known_unknown_and_closed_addresses(
    client, personas, mailoutbox
):
    open_portal(personas.client_a)
    closed_contact = ContactFactory(client=personas.other_client_a)  # portal not opened
    answers = [
        ask_for_link(client, email, ip=f"198.51.100.{n}")
        for n, email in enumerate(
            [personas.contact_a.email, "nobody@nowhere.example", closed_contact.email]
        )
    ]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/portal/sent/")}
    pages = {client.get(r["Location"]).content for r in answers}
    assert len(pages) == 1
    assert [m.to for m in mailoutbox] == [[f"Ada Contact <{personas.contact_a.email}>"]]


@pytest.mark.django_db
def test_a_barred_contact_gets_no_link(client, personas, mailoutbox):
    open_portal(personas.client_a)
    services.set_contact_access(personas.contact_a, may_sign_in=False, by=personas.amir)
    assert ask_for_link(client, personas.contact_a.email)["Location"] == "/portal/sent/"
    assert mailoutbox == []


@pytest.mark.django_db
def test_link_requests_are_limited_per_address_and_per_ip(client, personas, mailoutbox):
    open_portal(personas.client_a)
    for n in range(services.RATE_LIMIT):
        assert ask_for_link(client, personas.contact_a.email, ip=f"192.0.2.{n}").status_code == 302
    refused = ask_for_link(client, personas.contact_a.email, ip="192.0.2.200")
    assert refused.status_code == 429 and b"Too many" in refused.content
    assert len(mailoutbox) == services.RATE_LIMIT

    for n in range(services.RATE_LIMIT):
        ask_for_link(client, f"someone{n}@nowhere.example", ip="192.0.2.99")
    assert ask_for_link(client, "fresh@nowhere.example", ip="192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_the_limit_lifts_after_an_hour(client, personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(services.RATE_LIMIT):
            assert services.allow_request("a@b.example", "192.0.2.1")
        assert not services.allow_request("a@b.example", "192.0.2.1")
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        assert services.allow_request("a@b.example", "192.0.2.1")


@pytest.mark.django_db
def test_signing_out_ends_the_portal_session_but_not_the_firms(client, personas):
    open_portal(personas.client_a)
    client.force_login(personas.alice)
    sign_in_as(client, personas.contact_a)
    assert client.get("/portal/home/").status_code == 200
    assert client.post("/portal/sign-out/")["Location"] == "/portal/"
    assert client.get("/portal/home/").status_code == 302
    assert client.get("/clients/").status_code == 200  # Alice is still signed in to the firm


@pytest.mark.django_db
def test_the_firm_sign_in_does_not_open_the_portal(client, personas):
    client.force_login(personas.alice)
    assert client.get("/portal/home/")["Location"] == "/portal/"


@pytest.mark.django_db
def test_a_session_ends_after_an_idle_hour_and_after_twelve_hours_in_all(client, personas):
    open_portal(personas.client_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in_as(client, personas.contact_a)
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert client.get("/portal/home/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=59 + 61), tick=False):
        assert client.get("/portal/home/").status_code == 302

    with time_machine.travel(start, tick=False):
        sign_in_as(client, personas.contact_a)
    for hours in range(1, 12):
        with time_machine.travel(start + dt.timedelta(hours=hours, minutes=-5), tick=False):
            assert client.get("/portal/home/").status_code == 200
    with time_machine.travel(
        start + dt.timedelta(seconds=session.ABSOLUTE_SECONDS + 60), tick=False
    ):
        assert client.get("/portal/home/").status_code == 302


@pytest.mark.django_db
def test_closing_the_portal_or_barring_the_contact_ends_their_session(client, personas):
    open_portal(personas.client_a)
    sign_in_as(client, personas.contact_a)
    services.set_client_portal(personas.client_a, enabled=False, by=personas.amir)
    assert client.get("/portal/home/").status_code == 302

    open_portal(personas.client_a)
    sign_in_as(client, personas.contact_a)
    services.set_contact_access(personas.contact_a, may_sign_in=False, by=personas.amir)
    assert client.get("/portal/home/").status_code == 302


@pytest.mark.django_db
def test_an_invitation_link_lasts_three_days(personas):
    open_portal(personas.client_a)
    issued = services.issue_link(personas.contact_a, by=personas.amir)
    assert issued.link.expires_at - issued.link.created_at == services.INVITATION_TTL
    assert AuditEntry.objects.filter(action="portal.invitation_sent", actor=personas.amir).exists()
