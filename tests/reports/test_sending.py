"""Editing and sending a report: the narrative is the person's, the figures freeze at sending,
the e-mail (HTML, text, PDF) reaches a real SMTP server, and the send counts as a budget update."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from tests.engagements.factories import TimeEntryFactory
from tests.reports.scenario import build
from tests.smtp import deliver_mail, free_port, text_part
from trustledger.communications.models import Interaction
from trustledger.communications.selectors import cadence_facts, cadence_measures
from trustledger.core.models import OutboxMessage
from trustledger.engagements.models import Milestone
from trustledger.reports import services
from trustledger.reports.models import StatusReport
from trustledger.workspaces.models import AuditEntry


@pytest.fixture
def scenario(personas):
    return build(personas)


@pytest.fixture
def draft(scenario, personas):
    return services.draft_report(
        personas.client_a, engagement=scenario.engagement, by=personas.amir
    )


def test_the_narrative_is_editable_before_sending(draft, personas):
    services.update_report(
        draft, by=personas.amir, narrative="  We are nearly there.\r\n\r\nMore soon.  "
    )
    draft.refresh_from_db()
    assert draft.narrative == "We are nearly there.\n\nMore soon."
    assert draft.narrative_edited
    assert AuditEntry.objects.filter(action="status_report.edited").count() == 1


def test_an_empty_narrative_is_refused_next_to_its_field(draft, personas):
    with pytest.raises(services.DomainError) as refused:
        services.update_report(draft, by=personas.amir, narrative="   ")
    assert refused.value.field == "narrative"


def test_refreshing_keeps_edits_unless_asked_to_redraft(draft, personas):
    services.update_report(draft, by=personas.amir, narrative="Mine.")
    services.refresh_report(draft, by=personas.amir)
    assert draft.narrative == "Mine."
    services.refresh_report(draft, by=personas.amir, redraft=True)
    assert draft.narrative == draft.drafted_narrative != "Mine."


def test_sending_freezes_the_figures(draft, personas, scenario, mailoutbox):
    services.update_report(draft, by=personas.amir, narrative="Edited by Amir.")
    services.send_report(draft, by=personas.amir, contacts=[personas.contact_a])
    sent = StatusReport.objects.get(pk=draft.pk)
    frozen = sent.snapshot
    assert sent.status == "sent" and sent.sent_by == personas.amir
    assert sent.narrative == "Edited by Amir."  # the edits are what the client read

    # WHEN the facts change afterwards
    TimeEntryFactory(engagement=scenario.engagement, date=scenario.today, hours=Decimal(40))
    Milestone.objects.filter(name="Shortlist and demos").update(
        delivered_on=scenario.today, status="delivered"
    )
    # THEN the sent report still shows the figures of its day
    sent.refresh_from_db()
    assert sent.snapshot == frozen
    section = sent.snapshot["engagements"][0]
    assert section["budget"]["billed"] == 25500.0
    assert "Shortlist and demos" not in [
        m["name"] for m in section["progress"]["milestones_reached"]
    ]
    with pytest.raises(services.DomainError):
        services.update_report(sent, by=personas.amir, narrative="Rewrite history")
    with pytest.raises(services.DomainError):
        services.refresh_report(sent, by=personas.amir)


def test_an_unedited_narrative_is_redrafted_from_the_figures_at_sending(
    draft, personas, scenario, mailoutbox
):
    TimeEntryFactory(
        engagement=scenario.engagement, date=scenario.today, hours=Decimal(10), bill_rate=150
    )
    services.send_report(draft, by=personas.amir, contacts=[personas.contact_a])
    draft.refresh_from_db()
    assert "€27,000 of the €60,000 budget is spent" in draft.narrative


def test_sending_records_an_outbound_budget_update_the_cadence_counts(
    draft, personas, scenario, mailoutbox
):
    now = timezone.now()
    services.send_report(
        draft, by=personas.amir, contacts=[personas.contact_a, scenario.second_contact], now=now
    )
    draft.refresh_from_db()
    touch = Interaction.objects.get(pk=draft.interaction_id)
    assert (touch.kind, touch.direction, touch.channel) == ("budget_update", "outbound", "email")
    assert touch.client == personas.client_a and touch.person == personas.amir
    assert touch.occurred_at == now
    assert sorted(touch.participants) == ["bo@acme.example", personas.contact_a.email]
    assert touch.subject == draft.title

    from tests.communications.factories import PlanFactory

    PlanFactory(client=personas.client_a, budget_update_days=30, starts_on=scenario.day(-100))
    measures = cadence_measures(personas.workspace_a, as_of=scenario.today)
    budget = next(m for m in measures[personas.client_a.pk] if m.kind == "budget_update")
    assert budget.last_held == scenario.today and budget.days_since == 0
    facts = cadence_facts(
        personas.workspace_a, as_of=now + dt.timedelta(minutes=1), client_ids=[personas.client_a.pk]
    )
    assert any(p.held_on == scenario.today for p in facts[personas.client_a.pk])


def test_recipients_must_be_contacts_of_the_client(draft, personas):
    from tests.factories import ContactFactory

    stranger = ContactFactory(client=personas.other_client_a)
    with pytest.raises(services.DomainError) as refused:
        services.send_report(draft, by=personas.amir, contacts=[stranger])
    assert refused.value.field == "recipients"
    with pytest.raises(services.DomainError):
        services.send_report(draft, by=personas.amir, contacts=[])
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_report_e_mail_reaches_a_real_smtp_server_with_its_pdf(
    draft, personas, scenario, smtp_server
):
    services.send_report(
        draft, by=personas.amir, contacts=[personas.contact_a, scenario.second_contact]
    )
    ((rcpt, message),) = smtp_server.messages
    assert sorted(rcpt) == ["bo@acme.example", personas.contact_a.email]
    assert str(make_header(decode_header(message["Subject"]))) == f"{draft.title} · Alpha Advisors"
    assert message["Reply-To"] == personas.amir.email
    assert "Share vendor pricing" in text_part(message)
    assert "Data migration assessment" in text_part(message)
    parts = {part.get_content_type(): part for part in message.walk()}
    html = parts["text/html"].get_payload(decode=True).decode()
    assert html.count("<svg") == 2  # the milestone timeline and the burn chart
    assert "Milestone timeline" in html and "Budget burn" in html
    pdf = parts["application/pdf"]
    assert pdf.get_filename().endswith(".pdf")
    assert pdf.get_payload(decode=True).startswith(b"%PDF")


def test_a_report_sent_while_the_mail_server_is_down_goes_out_once_it_is_back(
    draft, personas, settings, smtp_server
):
    working = settings.MAILERS["delivery"]
    down = {**working, "OPTIONS": {**working["OPTIONS"], "port": free_port()}}
    settings.MAILERS = {**settings.MAILERS, "delivery": down}
    services.send_report(draft, by=personas.amir, contacts=[personas.contact_a])
    draft.refresh_from_db()
    assert not draft.is_draft  # sending is the worker's job, after commit
    assert deliver_mail() == 0 and smtp_server.received == []

    settings.MAILERS = {**settings.MAILERS, "delivery": working}
    OutboxMessage.objects.update(next_attempt_at=timezone.now())  # the retry is due
    assert deliver_mail() == 1
    assert deliver_mail() == 0
    assert len(smtp_server.received) == 1


def test_a_report_is_sent_once(draft, personas, mailoutbox):
    services.send_report(draft, by=personas.amir, contacts=[personas.contact_a])
    stale = StatusReport.objects.get(pk=draft.pk)
    stale.status = "draft"  # an old copy in another request
    with pytest.raises(services.DomainError):
        services.send_report(stale, by=personas.amir, contacts=[personas.contact_a])
    assert len(mailoutbox) == 1
