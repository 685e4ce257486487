"""Importing help-desk ticket exports with the vendors' own columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.communications.conftest import run
from trustledger.communications.models import Inquiry
from trustledger.imports.errors import ImportFailed

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def test_zendesk_tickets_of_the_clients_become_inquiries(firm, data):
    result = run("zendesk", firm.workspace_a, data / "zendesk-tickets.csv")

    assert (result.rows, result.created) == (4, 3)
    assert result.details == {"not_from_a_client_skipped": 1}
    tickets = {q.source_key: q for q in Inquiry.objects.for_workspace(firm.workspace_a)}
    report = tickets["zendesk:1201"]
    assert (report.channel, report.priority, report.sla_hours) == ("ticket", "high", Decimal(4))
    assert report.received_at == at(3, 9, 15)
    assert report.first_response_at == at(3, 10)  # 45 minutes after
    assert report.resolved_at == at(4, 10)
    assert report.contact.email == "ada@acme.example"
    assert report.sla_due == at(3, 13, 15)
    login = tickets["zendesk:1202"]
    assert (login.priority, login.first_response_at, login.contact) == ("urgent", None, None)
    assert login.sla_due == at(10, 8, 30)  # Friday 16:30 Berlin: 30 minutes, then Monday to 09:30
    invoice = tickets["zendesk:1204"]  # from a public address, but of Acme's organisation
    assert invoice.first_response_at == invoice.resolved_at == at(10, 10)


def test_freshdesk_tickets_read_their_response_and_resolution(firm, data):
    result = run("freshdesk", firm.workspace_a, data / "freshdesk-tickets.csv")

    assert (result.rows, result.created) == (3, 3)
    tickets = {q.source_key: q for q in Inquiry.objects.for_workspace(firm.workspace_a)}
    vpn = tickets["freshdesk:4001"]
    # Times without an offset are the firm's (Berlin): 09:00 local is 08:00 UTC.
    assert (vpn.received_at, vpn.first_response_at) == (at(3, 8), at(3, 9, 30))
    assert vpn.resolved_at == at(3, 14)
    assert vpn.priority == "normal"
    quote = tickets["freshdesk:4003"]
    assert quote.first_response_at == at(7, 11)  # "First response time (in hrs)": 4.0
    assert quote.resolved_at == at(7, 11)
    assert tickets["freshdesk:4002"].first_response_at is None


def test_reimporting_tickets_adds_nothing(firm, data):
    run("zendesk", firm.workspace_a, data / "zendesk-tickets.csv")
    again = run("zendesk", firm.workspace_a, data / "zendesk-tickets.csv")

    assert (again.created, again.skipped_duplicates) == (0, 3)
    assert Inquiry.objects.count() == 3


def test_a_bad_value_rejects_the_whole_file_naming_line_and_column(firm, data, tmp_path):
    text = (data / "freshdesk-tickets.csv").read_text()
    text = text.replace(
        "2025-03-06 14:00:00,2025-03-06 18:00:00", "06/03/2025 2pm,2025-03-06 18:00:00"
    )
    text = text.replace(",Closed,Low,", ",Closed,Whenever,")
    path = tmp_path / "freshdesk.csv"
    path.write_text(text)

    with pytest.raises(ImportFailed) as failure:
        run("freshdesk", firm.workspace_a, path)

    assert [str(e) for e in failure.value.errors] == [
        "freshdesk.csv, line 3, field Created time: 06/03/2025 2pm is not a date and time "
        "(expected YYYY-MM-DD HH:MM[:SS], optionally with an offset such as +0100).",
        "freshdesk.csv, line 4, field Priority: Whenever is not one of high, low, normal, urgent.",
    ]
    assert not Inquiry.objects.exists()


def test_a_response_before_the_ticket_is_an_error(firm, data, tmp_path):
    text = (
        (data / "freshdesk-tickets.csv")
        .read_text()
        .replace("2025-03-03 10:30:00", "2025-03-02 10:30:00")
    )
    path = tmp_path / "early.csv"
    path.write_text(text)

    with pytest.raises(ImportFailed) as failure:
        run("freshdesk", firm.workspace_a, path)

    assert str(failure.value.errors[0]) == (
        "early.csv, line 2, field Initial response time: the first response is before the "
        "ticket was created."
    )


def test_an_export_without_the_vendor_columns_is_refused(firm, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("Number,Title,Opened\n1,Help,2025-03-03\n")

    with pytest.raises(ImportFailed) as failure:
        run("zendesk", firm.workspace_a, path)

    assert failure.value.errors[0].line == 1
    assert "missing columns Id, Subject, Created at" in failure.value.errors[0].message
