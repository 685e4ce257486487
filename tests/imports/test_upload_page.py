"""The upload page: owners, leaders and account managers import; staff are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.imports.conftest import DATA
from trustledger.engagements.models import Engagement, TimeEntry

URL = "/imports/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def test_the_page_is_at_imports_and_lists_every_kind(client, firm):
    assert reverse("imports:upload") == URL
    client.force_login(firm.personas.alice)
    body = client.get(URL).content.decode()
    for label in ("Harvest", "Toggl Track", "any CSV, with a column mapping", "Clients and"):
        assert label in body
    assert 'enctype="multipart/form-data"' in body


def test_an_owner_uploads_a_harvest_report_and_sees_the_counts(client, firm, media_root):
    client.force_login(firm.personas.alice)
    response = client.post(URL, {"kind": "harvest", "file": upload("harvest_time_report.csv")})

    body = response.content.decode()
    assert response.status_code == 200 and 'id="import-result"' in body
    assert "<dt>Time entries created</dt><dd>5</dd>" in body
    assert TimeEntry.objects.count() == 5
    (saved,) = (media_root / "imports" / firm.personas.workspace_a.slug).iterdir()
    assert saved.name.endswith("-harvest_time_report.csv")


def test_a_bad_file_shows_every_error_and_imports_nothing(client, firm):
    client.force_login(firm.personas.alice)
    body = client.post(
        URL, {"kind": "harvest", "file": upload("harvest_unknown_engagement.csv")}
    ).content.decode()

    assert "Nothing was imported" in body
    assert (
        "harvest_unknown_engagement.csv, line 3, field Project: no engagement named Secret "
        "Skunkworks" in body
    )
    assert not TimeEntry.objects.exists()


def test_a_mapped_csv_and_a_dry_run_from_the_page(client, firm):
    client.force_login(firm.personas.amir)  # account managers import too
    data = {
        "kind": "time-csv",
        "mapping": "date=Day, hours=Time, person=Who, engagement=Project, client=Customer, "
        "date_format=%d/%m/%Y",
        "dry_run": "on",
    }
    body = client.post(URL, {**data, "file": upload("time_generic_semicolon.csv")}).content.decode()
    assert "Checked: nothing was saved" in body and "<dd>4</dd>" in body
    assert not TimeEntry.objects.exists()
    data.pop("dry_run")
    client.post(URL, {**data, "file": upload("time_generic_semicolon.csv")})
    assert TimeEntry.objects.count() == 4


def test_a_malformed_mapping_or_one_for_a_fixed_format_is_shown_by_the_field(client, firm):
    client.force_login(firm.personas.alice)
    file = upload("harvest_time_report.csv")
    body = client.post(URL, {"kind": "time-csv", "file": file, "mapping": "date"}).content.decode()
    assert "“date” is not FIELD=COLUMN." in body
    file = upload("harvest_time_report.csv")
    body = client.post(URL, {"kind": "harvest", "file": file, "mapping": "a=b"}).content.decode()
    assert "This kind of file has fixed columns" in body
    assert not TimeEntry.objects.exists()


def test_an_account_manager_cannot_import_engagements_already_under_way(client, firm):
    client.force_login(firm.personas.amir)
    before = Engagement.objects.count()
    body = client.post(
        URL, {"kind": "engagements-csv", "file": upload("engagements.csv")}
    ).content.decode()
    assert "only a leader or owner may import engagements already under way" in body
    assert Engagement.objects.count() == before


def test_staff_are_refused(client, firm):
    client.force_login(firm.personas.sam)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"kind": "harvest", "file": upload("harvest_time_report.csv")})
    assert response.status_code == 403
    assert not TimeEntry.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, firm):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_stranger_imports_only_into_their_own_workspace(client, firm):
    client.force_login(firm.personas.charlie)
    body = client.post(
        URL, {"kind": "harvest", "file": upload("harvest_time_report.csv")}
    ).content.decode()
    assert "field Project: no engagement named Finance Transformation" in body
    assert not TimeEntry.objects.exists()
    for probe in ("post", "patch", "delete"):
        response = getattr(client, probe)(
            URL, data={"kind": "harvest"}, content_type="application/json"
        )
        assert "Acme Secret" not in response.content.decode()
