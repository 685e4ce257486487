"""Clients and engagements from a CSV: created clients, statuses, re-imports, bad rows, roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tests.imports.conftest import Firm
from trustledger.clients.models import Client
from trustledger.engagements.models import Engagement
from trustledger.imports.errors import ImportFailed


def engagements(firm: Firm) -> dict[str, Engagement]:
    workspace = firm.personas.workspace_a
    return {e.name: e for e in Engagement.objects.for_workspace(workspace).select_related("client")}


def test_an_engagements_file_creates_its_engagements_and_the_missing_clients(firm):
    clients_before = Client.objects.count()
    result = firm.run("engagements-csv", "engagements.csv")

    assert (result.rows, result.created, result.details) == (5, 5, {"clients_created": 2})
    assert Client.objects.count() == clients_before + 2
    found = engagements(firm)
    selection = found["ERP selection"]
    assert (selection.client.name, selection.client.external_id) == ("Northwind Traders", "NW-001")
    assert (selection.status, selection.type, selection.external_id) == (
        "closed",
        "fixed_fee",
        "NW-ERP",
    )
    assert (selection.budget_amount, selection.budget_hours) == (Decimal(48000), Decimal(320))
    assert (selection.activated_on, selection.closed_on) == (
        dt.date(2025, 3, 3),
        dt.date(2025, 6, 27),
    )
    assert selection.client.relationship_start == dt.date(2025, 3, 3), "its earliest engagement"
    assert found["ERP implementation support"].type == "time_materials"
    reinsurance = found["Solvency II reporting"]
    assert (reinsurance.client.name, reinsurance.currency) == ("Zürich Rückversicherung", "CHF")
    assert (reinsurance.status, reinsurance.activated_on) == ("proposed", None)
    treasury = found["Treasury review"]
    assert treasury.client == firm.personas.client_a and treasury.status == "closed"
    assert treasury.budget_amount == Decimal("18500.50")
    retainer = found["Monthly advisory retainer"]
    assert (retainer.client.name, retainer.status, retainer.type) == (
        "Northwind Traders",
        "on_hold",
        "retainer",
    )


def test_importing_the_engagements_again_adds_nothing(firm):
    firm.run("engagements-csv", "engagements.csv")
    clients = Client.objects.count()
    again = firm.run("engagements-csv", "engagements.csv")
    assert (again.created, again.skipped_duplicates, again.details) == (
        0,
        5,
        {"clients_created": 0},
    )
    assert Client.objects.count() == clients


def test_a_bad_engagements_file_creates_no_client_and_no_engagement(firm):
    clients, engagement_count = Client.objects.count(), Engagement.objects.count()
    with pytest.raises(ImportFailed) as raised:
        firm.run("engagements-csv", "engagements_bad.csv")
    assert raised.value.lines() == [
        "engagements_bad.csv, line 3, field End date: 2026-08-28 is before the start date "
        "2026-09-01.",
        "engagements_bad.csv, line 4, field Status: Someday is not one of active, cancelled, "
        "closed, on_hold, proposed.",
        "engagements_bad.csv, line 5, field Client external id: no client has this external id.",
    ]
    assert (Client.objects.count(), Engagement.objects.count()) == (clients, engagement_count)


def test_engagements_under_way_need_someone_who_may_override_the_charter_rule(firm):
    with pytest.raises(ImportFailed) as raised:
        firm.run("engagements-csv", "engagements.csv", may_override=False)
    lines = raised.value.lines()
    assert len(lines) == 4, "every row but the proposed one"
    assert lines[0] == (
        "engagements.csv, line 2, field Status: closed without the client's sign-off: only a "
        "leader or owner may import engagements already under way."
    )


def test_a_mapping_names_other_columns(firm, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(
        "Customer;Deal;From;To;Value;Stage\n"
        "Acme Secret Holdings;Audit readiness;01.02.2026;30.04.2026;9.500,00;pipeline\n"
    )
    mapping = {
        "client": "Customer",
        "engagement": "Deal",
        "start_date": "From",
        "end_date": "To",
        "fee": "Value",
        "status": "Stage",
    }
    assert firm.run("engagements-csv", path, mapping=mapping).created == 1
    audit = engagements(firm)["Audit readiness"]
    assert (audit.start_date, audit.budget_amount, audit.status) == (
        dt.date(2026, 2, 1),
        Decimal(9500),
        "proposed",
    )


def test_a_file_without_a_client_column_is_refused(firm, tmp_path):
    path = Path(tmp_path / "noclient.csv")
    path.write_text(
        "engagement,start date,end date,fee,status\nX,2026-01-01,2026-02-01,1,proposed\n"
    )
    with pytest.raises(ImportFailed) as raised:
        firm.run("engagements-csv", path)
    assert str(raised.value) == (
        "noclient.csv, line 1: missing column client (or client external id)."
    )


def test_an_implausible_fee_or_budget_is_refused(firm, tmp_path):
    path = tmp_path / "fees.csv"
    path.write_text(
        "client,engagement,start date,end date,fee,status,budget hours\n"
        "Acme Secret Holdings,Refund,2026-01-01,2026-02-01,-500,proposed,10\n"
        "Acme Secret Holdings,Forever,2026-01-01,2026-02-01,500,proposed,100000000\n"
    )
    with pytest.raises(ImportFailed) as raised:
        firm.run("engagements-csv", path)
    assert raised.value.lines() == [
        "fees.csv, line 2, field fee: -500.00 is not a plausible fee.",
        "fees.csv, line 3, field budget hours: 100000000.00 is not a plausible number of hours.",
    ]
