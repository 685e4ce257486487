"""Importing e-mail: a real-format mailbox with replies, forwards, an auto-reply, list mail and
a malformed message, then .eml files, then re-imports."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.communications.conftest import run
from trustledger.communications.models import Inquiry, Interaction
from trustledger.imports.errors import ImportFailed

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def test_a_mailbox_becomes_interactions_and_inquiries_with_their_answers(firm, data):
    result = run("mbox", firm.workspace_a, data / "inbox.mbox", by=firm.alice)

    assert result.rows == 10
    assert result.created == 6
    assert result.details == {
        "inquiries_opened": 3,
        "inquiries_answered": 2,
        "auto_replies_ignored": 1,
        "internal_or_unrelated_skipped": 1,
        "unreadable_skipped": 1,
        "mailing_list_ignored": 1,
    }
    assert "message 5 (line 63, field From): has no sender address." in result.summary()
    touches = Interaction.objects.for_workspace(firm.workspace_a)
    assert {t.client_id for t in touches} == {firm.client_a.pk}
    assert sorted(touches.values_list("direction", flat=True)) == ["inbound"] * 4 + ["outbound"] * 2


def test_the_first_reply_from_the_firm_answers_the_question(firm, data):
    run("mbox", firm.workspace_a, data / "inbox.mbox")
    timeline = Inquiry.objects.for_workspace(firm.workspace_a).get(subject="Revised timeline")

    assert timeline.received_at == at(3, 9)
    assert timeline.first_response_at == at(3, 13, 30)
    assert timeline.first_response_by == firm.amir
    assert timeline.contact.email == "ada@acme.example"
    assert timeline.sla_due == at(4, 9)  # 8 business hours in Berlin: Monday 10:00 to Tuesday 10:00
    assert not timeline.breached()
    assert timeline.interaction.source_key == "email:q1@acme.example"


def test_a_reply_listed_before_its_question_still_answers_it_late(firm, data):
    run("mbox", firm.workspace_a, data / "inbox.mbox")
    invoice = Inquiry.objects.for_workspace(firm.workspace_a).get(subject="Invoice 2025-014")

    assert invoice.contact is None  # Bob is not a contact, but writes from Acme's domain
    assert invoice.sla_due == at(10, 15)  # Friday 16:00-17:00 Berlin, then Monday 09:00-16:00
    assert invoice.first_response_at == at(11, 8, 30)
    assert invoice.breached()


def test_quoted_questions_and_thanks_open_no_inquiry(firm, data):
    run("mbox", firm.workspace_a, data / "inbox.mbox")
    subjects = set(
        Inquiry.objects.for_workspace(firm.workspace_a).values_list("subject", flat=True)
    )

    assert subjects == {"Revised timeline", "Invoice 2025-014", "Data migration – status?"}
    thanks = Interaction.objects.get(source_key="email:t1@acme.example")
    assert thanks.summary == "Thanks, that works for us.\nFrom our side nothing else for now."
    assert thanks.thread_key == "email:q1@acme.example"


def test_an_unanswered_question_after_hours_is_due_by_the_end_of_the_next_business_day(firm, data):
    run("mbox", firm.workspace_a, data / "inbox.mbox")
    migration = Inquiry.objects.for_workspace(firm.workspace_a).get(subject__startswith="Data")

    assert migration.first_response_at is None
    assert migration.sla_due == at(13, 16)  # Wednesday 17:45 Berlin: Thursday 09:00-17:00


def test_reimporting_a_mailbox_adds_nothing(firm, data):
    run("mbox", firm.workspace_a, data / "inbox.mbox")
    again = run("mbox", firm.workspace_a, data / "inbox.mbox")

    assert again.created == 0
    assert again.skipped_duplicates == 6
    assert Interaction.objects.for_workspace(firm.workspace_a).count() == 6
    assert Inquiry.objects.for_workspace(firm.workspace_a).count() == 3


def test_the_same_message_as_an_eml_is_recognised(firm, data, tmp_path):
    run("mbox", firm.workspace_a, data / "inbox.mbox")
    result = run("eml", firm.workspace_a, data / "question.eml")

    assert (result.created, result.skipped_duplicates) == (0, 1)


def test_a_reply_in_a_later_file_answers_an_inquiry_of_an_earlier_one(firm, data):
    run("eml", firm.workspace_a, data / "question.eml")
    assert Inquiry.objects.get(subject="Revised timeline").first_response_at is None

    result = run("eml", firm.workspace_a, data / "reply.eml")

    assert result.details == {"inquiries_answered": 1}
    answered = Inquiry.objects.get(subject="Revised timeline")
    assert answered.first_response_at == at(3, 13, 30)
    assert answered.response_recorded_at == at(3, 13, 30)


def test_an_eml_without_a_date_is_rejected_naming_the_header(firm, data):
    with pytest.raises(ImportFailed) as failure:
        run("eml", firm.workspace_a, data / "no-date.eml")

    assert (
        str(failure.value.errors[0])
        == "no-date.eml, line 3, field Date: the Date header 'yesterday-ish' is not a date."
    )
    assert not Interaction.objects.exists()


def test_a_file_that_is_not_a_mailbox_is_rejected_whole(firm, tmp_path):
    path = tmp_path / "notes.mbox"
    path.write_text("Dear diary,\nFrom today on I write mail.\n")

    with pytest.raises(ImportFailed) as failure:
        run("mbox", firm.workspace_a, path)

    assert failure.value.errors[0].line == 1
    assert "not an mbox file" in failure.value.errors[0].message


def test_mail_of_another_workspace_is_never_matched(firm, data):
    result = run("mbox", firm.workspace_b, data / "inbox.mbox")

    assert result.created == 0
    assert result.details["internal_or_unrelated_skipped"] == 7
    assert not Interaction.objects.for_workspace(firm.workspace_b).exists()
