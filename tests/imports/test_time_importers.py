"""Time entries from Harvest, Toggl Track and a mapped CSV: matching, re-imports, bad files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.engagements.factories import EngagementFactory
from tests.imports.conftest import DATA, Firm
from trustledger.engagements.models import TimeEntry
from trustledger.imports.errors import ImportFailed
from trustledger.imports.services import run_import
from trustledger.workspaces.models import AuditEntry

HARVEST_HEADER = (
    "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
    "Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,"
    "Cost Amount,Currency,External Reference URL"
)


def harvest_row(day: str = "2026-01-12", hours: str = "1.0", note: str = "Work") -> str:
    return (
        f"{day},Acme Secret Holdings,Month-end Close,,Reconciliation,{note},{hours},{hours},"
        "Yes,No,No,Dana,Delivery,Consultant,Yes,180.00,180.00,95.00,95.00,Euro - EUR,"
    )


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def entries(firm: Firm) -> list[TimeEntry]:
    """In the sample files' order (a batch is written in key order, so ids do not follow it)."""
    workspace = firm.personas.workspace_a
    return list(TimeEntry.objects.for_workspace(workspace).order_by("date", "note", "id"))


def failure_lines(firm: Firm, kind: str, file: str | Path, **options: object) -> list[str]:
    with pytest.raises(ImportFailed) as raised:
        firm.run(kind, file, **options)
    assert entries(firm) == [], "a rejected file must leave nothing behind"
    return raised.value.lines()


def test_a_harvest_report_imports_each_row_with_its_engagement_person_and_rates(firm):
    result = firm.run("harvest", "harvest_time_report.csv")

    assert (result.rows, result.created, result.skipped_empty) == (6, 5, 1)
    kickoff, planning, reconciliation, *platform = entries(firm)
    assert kickoff.engagement == firm.finance  # by Project Code
    assert (kickoff.date, kickoff.hours) == (dt.date(2026, 1, 12), Decimal("3.50"))
    assert (kickoff.person, kickoff.person_name) == (firm.dana, "Dana Delivery")
    assert (kickoff.bill_rate, kickoff.cost_rate) == (Decimal(180), Decimal(95))
    assert (
        kickoff.scope_item.title == "Discovery" and kickoff.note == "Kick-off workshop with the CFO"
    )
    assert (planning.person, planning.person_name) == (None, "Pat Contractor")
    assert planning.scope_item is None
    assert (planning.task, planning.note) == ("Project Management", "Plan, risks and RACI")
    assert reconciliation.engagement == firm.close  # by client and name
    assert reconciliation.task == "Reconciliation"
    assert reconciliation.note == 'Bank reconciliation for the "Q4" accounts'
    assert [e.person for e in platform] == [firm.personas.alice] * 2
    assert platform[0].bill_rate == 0, "a non-billable row bills nothing"
    assert all(len(e.import_key) == 64 for e in entries(firm))


def test_importing_the_same_file_again_adds_nothing(firm):
    firm.run("harvest", "harvest_time_report.csv")
    again = firm.run("harvest", "harvest_time_report.csv")

    assert (again.created, again.skipped_duplicates, again.skipped_empty) == (0, 5, 1)
    assert len(entries(firm)) == 5


def test_two_identical_rows_are_two_entries_and_a_reimport_skips_both(firm, tmp_path):
    firm.run("harvest", "harvest_time_report.csv")
    platform = [e for e in entries(firm) if e.engagement == firm.platform]
    assert len(platform) == 2 and platform[0].import_key != platform[1].import_key

    one_copy = write(tmp_path, "one.csv", [HARVEST_HEADER, *_platform_rows(1)])
    three_copies = write(tmp_path, "three.csv", [HARVEST_HEADER, *_platform_rows(3)])
    assert firm.run("harvest", one_copy).skipped_duplicates == 1
    third = firm.run("harvest", three_copies)
    assert (third.created, third.skipped_duplicates) == (1, 2)


def _platform_rows(n: int) -> list[str]:
    source = (DATA / "harvest_time_report.csv").read_text()
    return [line for line in source.splitlines() if "Data Platform" in line][:1] * n


def test_identical_rows_keep_their_numbers_across_batches(firm, tmp_path):
    rows = [harvest_row(note="Same call")] * 3 + [
        harvest_row(day=f"2026-02-{d:02d}") for d in (1, 2)
    ]
    path = write(tmp_path, "batches.csv", [HARVEST_HEADER, *rows, harvest_row(note="Same call")])
    assert firm.run("harvest", path, batch_size=2).created == 6
    again = firm.run("harvest", path, batch_size=4)
    assert (again.created, again.skipped_duplicates) == (0, 6)


def test_a_toggl_report_matches_people_by_email_and_derives_the_bill_rate(firm):
    result = firm.run("toggl", "toggl_detailed.csv")

    assert (result.rows, result.created) == (4, 4)
    mapping, accruals, standup, draft = entries(firm)
    assert (mapping.engagement, mapping.person, mapping.person_name) == (
        firm.finance,
        firm.dana,
        "Dana D.",
    )
    assert (mapping.hours, mapping.bill_rate) == (Decimal("2.50"), Decimal("180.00"))
    assert accruals.engagement == firm.close and accruals.hours == Decimal("0.75")
    assert standup.person == firm.personas.sam, "no e-mail match: the full name matches"
    assert (standup.bill_rate, standup.note) == (0, "Standup, notes")
    assert draft.person is None and draft.bill_rate == Decimal("150.15")


def test_the_toggl_amount_column_may_carry_any_currency(firm, tmp_path):
    source = (DATA / "toggl_detailed.csv").read_text()
    path = tmp_path / "eur.csv"
    path.write_text(source.replace("Amount (USD)", "Amount (EUR)"))
    firm.run("toggl", path)
    assert entries(firm)[0].bill_rate == Decimal("180.00")


def test_a_mapped_csv_reads_semicolons_day_first_dates_and_decimal_commas(firm):
    mapping = {
        "date": "Day",
        "hours": "Time",
        "person": "Who",
        "engagement": "Project",
        "client": "Customer",
        "note": "Remarks",
        "cost_rate": "Hourly cost",
        "date_format": "%d/%m/%Y",
    }
    result = firm.run("time-csv", "time_generic_semicolon.csv", mapping=mapping)

    assert result.created == 4
    committee, budget, eliminations, review = entries(firm)
    assert (committee.date, committee.hours, committee.cost_rate) == (
        dt.date(2026, 3, 2),
        Decimal("1.50"),
        Decimal(95),
    )
    assert (budget.engagement, budget.hours) == (firm.finance, Decimal("2.25"))  # by code
    assert (eliminations.person, eliminations.person_name) == (None, "Robin Extern")
    assert (review.engagement, review.person) == (firm.platform, firm.personas.alice)


def test_columns_named_like_the_fields_need_no_mapping(firm, tmp_path):
    path = write(
        tmp_path,
        "plain.csv",
        [
            "date,hours,engagement,person,bill_rate,scope_item",
            "2026-03-09,4,Finance Transformation,Dana Delivery,175.5,discovery",
        ],
    )
    firm.run("time-csv", path)
    (entry,) = entries(firm)
    assert (entry.person, entry.bill_rate) == (firm.dana, Decimal("175.50"))
    assert entry.scope_item.title == "Discovery"


def test_a_mapped_scope_item_must_exist(firm, tmp_path):
    path = write(
        tmp_path,
        "scope.csv",
        ["date,hours,engagement,scope_item", "2026-03-09,4,ACME-FT,Gold plating"],
    )
    assert failure_lines(firm, "time-csv", path) == [
        "scope.csv, line 2, field scope_item: the engagement has no scope item Gold plating."
    ]


def test_ambiguous_slash_dates_ask_for_a_format(firm, tmp_path):
    path = write(tmp_path, "us.csv", ["date,hours,engagement", "03/04/2026,1,ACME-FT"])
    assert failure_lines(firm, "time-csv", path) == [
        "us.csv, line 2, field date: 03/04/2026 could be day-first or month-first: give the "
        "format in the mapping, date_format=%d/%m/%Y or date_format=%m/%d/%Y."
    ]


def test_a_mapping_naming_an_unknown_field_is_refused(firm):
    lines = failure_lines(
        firm, "time-csv", "time_generic_semicolon.csv", mapping={"day": "Day", "hours": "Time"}
    )
    assert lines == [
        "time_generic_semicolon.csv: the mapping names unknown field day; the fields are date, "
        "hours, engagement, client, person, email, note, cost_rate, bill_rate, scope_item "
        "(and date_format)."
    ]


def test_a_vendor_format_takes_no_mapping(firm):
    lines = failure_lines(firm, "harvest", "harvest_time_report.csv", mapping={"date": "Day"})
    assert lines == ["harvest_time_report.csv: a harvest file has fixed columns: drop the mapping."]


@pytest.mark.parametrize(
    ("kind", "file", "expected"),
    [
        (
            "harvest",
            "harvest_bad_date.csv",
            [
                "harvest_bad_date.csv, line 4, field Date: 2026-02-30 is not a valid date "
                "(expected YYYY-MM-DD)."
            ],
        ),
        (
            "harvest",
            "harvest_bad_hours.csv",
            [
                "harvest_bad_hours.csv, line 3, field Hours: -1.25 hours: must be between 0 and "
                "24 for one entry.",
                "harvest_bad_hours.csv, line 5, field Hours: 30.00 hours: must be between 0 and "
                "24 for one entry.",
            ],
        ),
        (
            "harvest",
            "harvest_unknown_engagement.csv",
            [
                "harvest_unknown_engagement.csv, line 3, field Project: no engagement named "
                "Secret Skunkworks for client Acme Secret Holdings and none with code ACME-X; "
                "import the engagements first (engagements-csv) or correct the name."
            ],
        ),
        (
            "harvest",
            "harvest_latin1.csv",
            [
                "harvest_latin1.csv, line 3: byte 0xE9 at character 99 is not UTF-8 text; "
                "export or save it as “CSV UTF-8” and try again"
            ],
        ),
        (
            "harvest",
            "harvest_nul_byte.csv",
            [
                "harvest_nul_byte.csv, line 2: contains a NUL byte: this is not a text CSV (a "
                "spreadsheet or UTF-16 file?); export or save it as “CSV UTF-8” and try again"
            ],
        ),
        (
            "toggl",
            "toggl_bad_duration.csv",
            [
                "toggl_bad_duration.csv, line 3, field Duration: 26.00 hours: must be between 0 "
                "and 24 for one entry."
            ],
        ),
    ],
)
def test_a_bad_file_names_file_line_and_field_and_imports_nothing(firm, kind, file, expected):
    assert failure_lines(firm, kind, file) == expected
    assert not AuditEntry.objects.filter(action="import.completed").exists()


def test_a_missing_column_is_named_with_the_columns_the_file_has(firm):
    (line,) = failure_lines(firm, "harvest", "harvest_missing_column.csv")
    assert line.startswith(
        "harvest_missing_column.csv, line 1: missing column Hours (the header has: Date, Client,"
    )


def test_a_bad_row_after_batches_were_written_still_rejects_the_whole_file(firm, tmp_path):
    rows = [harvest_row(day=f"2026-01-{d:02d}") for d in range(1, 29)]
    path = write(tmp_path, "late.csv", [HARVEST_HEADER, *rows, harvest_row(hours="lots")])
    assert failure_lines(firm, "harvest", path, batch_size=5) == [
        "late.csv, line 30, field Hours: lots is not a duration (use 1.5, 1:30 or 01:30:00)."
    ]


def test_the_first_20_errors_are_listed_and_the_rest_counted(firm, tmp_path):
    rows = [harvest_row(day=f"2026-13-{d:02d}") for d in range(1, 31)]
    lines = failure_lines(firm, "harvest", write(tmp_path, "many.csv", [HARVEST_HEADER, *rows]))
    assert len(lines) == 21 and lines[-1] == "… and 10 more errors."
    assert lines[0].startswith("many.csv, line 2, field Date: 2026-13-01")


def test_an_engagement_name_two_engagements_share_is_refused(firm):
    EngagementFactory(client=firm.personas.client_a, name="MONTH-END CLOSE")
    (line,) = failure_lines(firm, "harvest", "harvest_time_report.csv")
    assert line == (
        "harvest_time_report.csv, line 4, field Project: several engagements are named "
        "Month-end Close: give them codes to tell them apart."
    )


def test_rows_never_reach_another_workspaces_engagements(firm):
    with pytest.raises(ImportFailed) as raised:
        run_import(firm.personas.workspace_b, "harvest", DATA / "harvest_time_report.csv")
    assert all("field Project: no engagement named" in line for line in raised.value.lines())
    assert not TimeEntry.objects.exists()


def test_a_dry_run_counts_what_it_would_do_and_saves_nothing(firm):
    result = firm.run("harvest", "harvest_time_report.csv", dry_run=True)
    assert (result.created, result.dry_run) == (5, True)
    assert result.summary().startswith("Dry run, nothing saved: harvest_time_report.csv")
    assert entries(firm) == []
    assert not AuditEntry.objects.filter(action="import.completed").exists()


def test_each_file_is_audited_once_with_its_counts(firm):
    firm.run("harvest", "harvest_time_report.csv", by=firm.personas.alice)
    (entry,) = AuditEntry.objects.filter(action="import.completed")
    assert entry.actor == firm.personas.alice
    assert entry.changes == {
        "kind": "harvest",
        "file": "harvest_time_report.csv",
        "rows": 6,
        "created": 5,
        "skipped_duplicates": 0,
        "skipped_empty": 1,
    }


def test_a_reimport_looks_keys_up_in_the_unique_index_not_in_date_order(firm):
    """Regression: the model's default ORDER BY made SQLite scan the whole workspace per batch
    (a re-import of a million rows took minutes instead of seconds)."""
    firm.run("harvest", "harvest_time_report.csv")
    with CaptureQueriesContext(connection) as queries:
        firm.run("harvest", "harvest_time_report.csv")
    (lookup,) = [q["sql"] for q in queries if '"import_key" IN' in q["sql"]]
    assert "ORDER BY" not in lookup


def test_a_harvest_row_without_a_project_says_the_project_is_required(firm, tmp_path):
    row = harvest_row().replace("Month-end Close", "")
    path = write(tmp_path, "noproject.csv", [HARVEST_HEADER, row])
    assert failure_lines(firm, "harvest", path) == [
        "noproject.csv, line 2, field Project: a value is required."
    ]
