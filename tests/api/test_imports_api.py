"""Imports through the API: the upload page's importers and checks, the counts of an accepted
file, every row at fault of a rejected one (as a 422), and the page's roles."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.keyring import bearer, field_named
from tests.imports.conftest import DATA
from trustledger.engagements.models import TimeEntry
from trustledger.workspaces.models import AuditEntry


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def post(client, data, key=None):
    return client.post("/api/imports", data, headers=bearer(key) if key else {})


@pytest.mark.django_db
def test_the_kinds_the_page_offers_are_listed(client, firm, read_key):
    kinds = client.get("/api/imports/kinds", headers=bearer(read_key)).json()
    assert {"harvest", "toggl", "time-csv", "engagements-csv"} <= {k["kind"] for k in kinds}


@pytest.mark.django_db
def test_a_harvest_report_is_imported_with_its_counts_and_audited(client, firm, write_key):
    response = post(
        client, {"kind": "harvest", "file": upload("harvest_time_report.csv")}, write_key
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["created"] == 5 and report["dry_run"] is False
    assert "5 time entries created" in report["summary"]
    assert TimeEntry.objects.count() == 5
    assert AuditEntry.objects.filter(action="import.completed").exists()


@pytest.mark.django_db
def test_a_dry_run_counts_everything_and_saves_nothing(client, firm, write_key):
    data = {"kind": "harvest", "file": upload("harvest_time_report.csv"), "dry_run": "true"}
    report = post(client, data, write_key).json()
    assert report["dry_run"] is True and report["created"] == 5
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_a_bad_file_reports_each_row_at_fault_and_imports_nothing(client, firm, write_key):
    data = {"kind": "harvest", "file": upload("harvest_unknown_engagement.csv")}
    response = post(client, data, write_key)
    assert response.status_code == 422
    (row,) = [e for e in response.json()["detail"] if e["loc"][1:2] == [3]]
    assert row["loc"] == ["file", 3, "Project"] and "Secret Skunkworks" in row["msg"]
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_bad_requests_name_their_field(client, firm, write_key):
    unknown = post(
        client, {"kind": "freshbooks", "file": upload("harvest_time_report.csv")}, write_key
    )
    assert unknown.status_code == 422 and field_named(unknown, "kind")
    fixed = {"kind": "harvest", "file": upload("harvest_time_report.csv"), "mapping": "date=Day"}
    mapped = post(client, fixed, write_key)
    assert mapped.status_code == 422 and field_named(mapped, "mapping")
    no_file = post(client, {"kind": "harvest"}, write_key)
    assert no_file.status_code == 422 and field_named(no_file, "file")
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_importing_needs_the_pages_role_and_a_writing_key(client, firm, read_key):
    data = {"kind": "harvest", "file": upload("harvest_time_report.csv")}
    assert post(client, data, read_key).status_code == 403
    client.force_login(firm.personas.sam)
    data = {"kind": "harvest", "file": upload("harvest_time_report.csv")}
    assert post(client, data).status_code == 403
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_another_workspace_imports_into_its_own_workspace_only(client, firm):
    client.force_login(firm.personas.charlie)
    data = {"kind": "harvest", "file": upload("harvest_time_report.csv")}
    response = post(client, data)
    assert response.status_code == 422  # workspace A's engagements are unknown in B
    assert not TimeEntry.objects.exists()
