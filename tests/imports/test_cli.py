"""``trustledger import`` end to end, through the command's own entry point."""

from __future__ import annotations

from tests.imports.conftest import DATA
from trustledger.cli import main
from trustledger.engagements.models import TimeEntry
from trustledger.workspaces.models import AuditEntry


def test_the_command_imports_a_file_and_prints_the_counts(firm, capsys):
    slug = firm.personas.workspace_a.slug
    code = main(["import", "harvest", str(DATA / "harvest_time_report.csv"), "--workspace", slug])

    assert code == 0
    out = capsys.readouterr().out
    assert "harvest_time_report.csv: 6 rows read; 5 time entries created; 0 already imported" in out
    assert TimeEntry.objects.count() == 5
    assert AuditEntry.objects.get(action="import.completed").actor_label == "command line"


def test_a_bad_file_exits_2_with_the_error_lines(firm, capsys):
    slug = firm.personas.workspace_a.slug
    code = main(["import", "harvest", str(DATA / "harvest_bad_hours.csv"), "--workspace", slug])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: harvest_bad_hours.csv was not imported:\n")
    assert "  harvest_bad_hours.csv, line 3, field Hours: -1.25 hours" in err
    assert "  harvest_bad_hours.csv, line 5, field Hours: 30.00 hours" in err
    assert not TimeEntry.objects.exists()


def test_a_mapping_and_a_dry_run(firm, capsys):
    args = [
        "import",
        "time-csv",
        str(DATA / "time_generic_semicolon.csv"),
        "--workspace",
        firm.personas.workspace_a.slug,
        "--mapping",
        "date=Day,hours=Time,person=Who,engagement=Project,client=Customer,note=Remarks,"
        "cost_rate=Hourly cost,date_format=%d/%m/%Y",
        "--dry-run",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Dry run, nothing saved" in out and "4 time entries to create" in out
    assert not TimeEntry.objects.exists()
    assert main(args[:-1]) == 0
    assert TimeEntry.objects.count() == 4


def test_an_unknown_kind_or_workspace_exits_2_saying_what_exists(firm, capsys):
    path = str(DATA / "harvest_time_report.csv")
    assert main(["import", "freshbooks", path, "--workspace", firm.personas.workspace_a.slug]) == 2
    err = capsys.readouterr().err
    assert "unknown import kind 'freshbooks'; choose one of: " in err
    assert all(kind in err for kind in ("engagements-csv", "harvest", "time-csv", "toggl"))
    assert main(["import", "harvest", path]) == 2
    assert "choose one with --workspace" in capsys.readouterr().err
