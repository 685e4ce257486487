"""Sending invitations and the one reminder: tokens, expiry, opt-outs, and a real SMTP server."""

import datetime as dt
import hashlib
import re
from email.message import Message

import pytest

from tests.feedback.factories import SurveyInvitationFactory
from tests.smtp import deliver_mail, delivered, free_port
from trustledger.core.worker import run_until_idle
from trustledger.feedback import selectors, services
from trustledger.feedback.models import SurveyInvitation

NOW = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)
LINK = re.compile(r"https?://\S+/s/([\w-]+)/")


def token_in(message) -> str:
    body = message.body if hasattr(message, "body") else message
    found = LINK.search(body)
    assert found, body
    return found[1]


@pytest.fixture
def invitation(personas):
    return SurveyInvitationFactory(contact=personas.contact_a, created_at=NOW)


@pytest.mark.django_db
def test_an_invitation_is_emailed_once_with_a_link_whose_token_is_stored_only_hashed(
    invitation, personas
):
    sent = services.send_invitation(invitation.pk, now=NOW)
    assert sent is not None
    assert len(delivered()) == 1
    message = delivered()[0]
    assert message.to == [f"Ada Contact <{personas.contact_a.email}>"]
    assert message.reply_to == [personas.amir.email]  # replies reach the account manager
    token = token_in(message)
    assert token == sent.token and len(token) >= 43  # 32 random bytes, 256 bits
    assert "Alpha Advisors" in message.subject
    assert message.alternatives[0].mimetype == "text/html"

    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(
        str(v) for v in SurveyInvitation.objects.values().get(pk=invitation.pk).values()
    )
    assert token not in stored
    assert invitation.sent_at == NOW
    assert invitation.expires_at == NOW + dt.timedelta(days=30)

    assert services.send_invitation(invitation.pk, now=NOW) is None
    assert len(delivered()) == 1


@pytest.mark.django_db
def test_the_link_expires_after_the_workspace_setting(invitation, personas):
    services.update_survey_settings(personas.workspace_a, by=None, link_valid_days=10)
    services.send_invitation(invitation.pk, now=NOW)
    invitation.refresh_from_db()
    assert invitation.expires_at == NOW + dt.timedelta(days=10)
    assert not invitation.is_expired(NOW + dt.timedelta(days=9))
    assert invitation.is_expired(NOW + dt.timedelta(days=10))


@pytest.mark.django_db
def test_a_contact_who_opted_out_after_being_invited_is_not_emailed(invitation, personas):
    personas.contact_a.survey_opt_out = True
    personas.contact_a.save()
    assert services.send_invitation(invitation.pk, now=NOW) is None
    assert delivered() == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.status == "skipped"
    # and a skipped invitation does not count against the throttle
    assert invitation.contact_id not in set(
        selectors.recently_surveyed_contact_ids(personas.workspace_a, now=NOW)
    )


@pytest.mark.django_db
def test_refused_mail_is_retried_and_unmarked_only_when_it_fails_for_good(invitation, settings):
    from trustledger.core.models import OutboxMessage
    from trustledger.core.outbox import MAX_ATTEMPTS

    settings.MAILERS = {
        "default": {"BACKEND": "trustledger.core.outbox.OutboxBackend"},
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        },
    }
    assert services.send_invitation(invitation.pk, now=NOW) is not None
    assert deliver_mail() == 0  # nobody listens on that port
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    invitation.refresh_from_db()
    assert invitation.sent_at == NOW  # still on its way: it counts, and is not sent twice

    OutboxMessage.objects.update(attempts=MAX_ATTEMPTS - 1, next_attempt_at=NOW)
    assert deliver_mail() == 0
    assert OutboxMessage.objects.get().status == "failed"
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.token_hash is None
    assert invitation.skipped_reason.startswith("The e-mail could not be delivered")
    assert invitation.contact_id not in set(
        selectors.recently_surveyed_contact_ids(invitation.workspace, now=NOW)
    )


@pytest.mark.django_db
def test_one_reminder_goes_after_n_days_with_its_own_working_link(invitation):
    first = services.send_invitation(invitation.pk, now=NOW)
    assert first is not None
    assert list(selectors.due_reminders(now=NOW + dt.timedelta(days=4))) == []
    due = list(selectors.due_reminders(now=NOW + dt.timedelta(days=5)))
    assert due == [invitation]

    reminder = services.send_reminder(invitation.pk, now=NOW + dt.timedelta(days=5))
    assert reminder is not None
    assert len(delivered()) == 2 and delivered()[1].subject.startswith("Reminder")
    assert token_in(delivered()[1]) == reminder.token != first.token
    assert services.find_invitation(first.token) == invitation
    assert services.find_invitation(reminder.token) == invitation

    assert services.send_reminder(invitation.pk, now=NOW + dt.timedelta(days=9)) is None
    assert list(selectors.due_reminders(now=NOW + dt.timedelta(days=9))) == []
    assert len(delivered()) == 2


@pytest.mark.django_db
def test_no_reminder_once_answered_expired_opted_out_or_switched_off(personas):
    later = NOW + dt.timedelta(days=6)
    answered, expired, opted_out, fine = (
        SurveyInvitationFactory(contact=personas.contact_a) for _ in range(4)
    )
    for inv in (answered, expired, opted_out, fine):
        services.send_invitation(inv.pk, now=NOW)
    SurveyInvitation.objects.filter(pk=answered.pk).update(answered_at=NOW)
    SurveyInvitation.objects.filter(pk=expired.pk).update(expires_at=NOW + dt.timedelta(days=6))
    assert {i.pk for i in selectors.due_reminders(now=later)} == {opted_out.pk, fine.pk}
    personas.contact_a.survey_opt_out = True
    personas.contact_a.save()
    assert list(selectors.due_reminders(now=later)) == []
    assert services.send_reminder(fine.pk, now=later) is None

    personas.contact_a.survey_opt_out = False
    personas.contact_a.save()
    services.update_survey_settings(personas.workspace_a, by=None, reminder_after_days=0)
    assert list(selectors.due_reminders(now=later)) == []


@pytest.mark.django_db
def test_due_reminders_are_queued_as_tasks(invitation, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    services.send_invitation(invitation.pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_due_reminders(now=NOW + dt.timedelta(days=6)) == 1
    task = DBTaskResult.objects.get(task_path__endswith="send_reminder_task")
    assert task.args_kwargs["args"] == [invitation.pk]


# --- the SMTP round trip ---------------------------------------------------------------------


def _text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


@pytest.mark.django_db(transaction=True)
def test_a_launched_campaign_reaches_a_real_smtp_server_through_the_task_worker(
    smtp_server, personas, client
):
    campaign = services.create_campaign(
        personas.workspace_a, by=personas.alice, name="Spring NPS", starts_on=NOW.date()
    )
    services.launch_campaign(campaign, by=personas.alice)
    assert smtp_server.messages == []  # nothing is sent in the request: the worker sends

    run_until_idle()

    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == [personas.contact_a.email]
    assert message["Reply-To"] == personas.amir.email
    assert message.is_multipart()
    link_token = token_in(_text_part(message))
    page = client.get(f"/s/{link_token}/")
    assert page.status_code == 200
    assert "How likely is it that you would recommend us" in page.content.decode()
