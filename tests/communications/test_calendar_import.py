"""Importing a real-format calendar: a recurring series with a moved occurrence, an excluded
date and a cancelled occurrence, a business review, a cancelled event, internal and declined
meetings, and an all-day site visit."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.communications.conftest import run
from trustledger.communications.models import Interaction
from trustledger.imports.errors import ImportFailed

pytestmark = pytest.mark.django_db
BERLIN = dt.timezone(dt.timedelta(hours=1))


def test_a_calendar_becomes_meetings_with_the_client(firm, data):
    result = run("ics", firm.workspace_a, data / "meetings.ics")

    assert result.created == 6
    assert result.details == {
        "cancelled_skipped": 2,
        "without_client_skipped": 1,
        "declined_skipped": 1,
    }
    meetings = Interaction.objects.for_workspace(firm.workspace_a).order_by("occurred_at")
    assert [
        (m.occurred_at.astimezone(BERLIN).strftime("%a %d %b %H:%M"), m.kind) for m in meetings
    ] == [
        ("Mon 06 Jan 10:00", "check_in"),
        ("Tue 14 Jan 15:00", "check_in"),  # moved from Monday 13 January
        ("Mon 03 Feb 10:00", "check_in"),
        ("Mon 10 Feb 10:00", "check_in"),  # the 20 January is excluded, the 27th cancelled
        ("Wed 12 Mar 14:00", "business_review"),
        ("Tue 18 Mar 00:00", "other"),
    ]


def test_meetings_carry_who_was_there_and_how_long(firm, data):
    run("ics", firm.workspace_a, data / "meetings.ics")
    moved = Interaction.objects.get(subject="Acme weekly check-in (moved to Tuesday)")
    visit = Interaction.objects.get(subject="Site visit at Acme plant")

    assert moved.duration_minutes == 30
    assert moved.person == firm.amir
    assert moved.contact.email == "ada@acme.example"
    assert moved.channel == "meeting"
    assert set(moved.participants) == {"ada@acme.example", "amir@firm.example"}
    assert (visit.channel, visit.duration_minutes) == ("site_visit", None)
    assert moved.source_key == "ics:weekly-acme-checkin@firm.example|2025-01-13T09:00:00+00:00"


def test_reimporting_a_calendar_adds_nothing(firm, data):
    run("ics", firm.workspace_a, data / "meetings.ics")
    again = run("ics", firm.workspace_a, data / "meetings.ics")

    assert (again.created, again.skipped_duplicates) == (0, 6)
    assert Interaction.objects.count() == 6


def test_an_event_without_a_start_rejects_the_file_with_its_line(firm, data, tmp_path):
    text = (data / "meetings.ics").read_text().replace("DTSTART:20250306T090000Z\n", "")
    path = tmp_path / "broken.ics"
    path.write_text(text)

    with pytest.raises(ImportFailed) as failure:
        run("ics", firm.workspace_a, path)

    error = failure.value.errors[0]
    assert (error.file, error.field) == ("broken.ics", "DTSTART")
    assert text.splitlines()[error.line - 1] == "BEGIN:VEVENT"
    assert not Interaction.objects.exists()


def test_an_unreadable_start_and_an_unclosed_event_are_reported_by_line(firm, tmp_path):
    path = tmp_path / "bad.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:2025XX01T100000Z\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:b\nDTSTART:20250101T100000Z\nEND:VCALENDAR\n"
    )
    with pytest.raises(ImportFailed) as failure:
        run("ics", firm.workspace_a, path)
    assert str(failure.value.errors[0]) == "bad.ics, line 9: END:VCALENDAR does not close anything."

    path.write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:2025XX01T100000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    with pytest.raises(ImportFailed) as failure:
        run("ics", firm.workspace_a, path)
    assert (failure.value.errors[0].line, failure.value.errors[0].field) == (2, "DTSTART")


def test_a_file_that_is_not_a_calendar_is_rejected(firm, tmp_path):
    path = tmp_path / "notes.ics"
    path.write_text("Meeting notes\nwith Acme\n")

    with pytest.raises(ImportFailed) as failure:
        run("ics", firm.workspace_a, path)

    assert failure.value.errors[0].line == 1
