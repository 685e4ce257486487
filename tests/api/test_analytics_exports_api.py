"""The analytics drill-downs and exports through the API: the dashboard page's rows, CSV and PDF
(same code), for owners, leaders and API keys; other members 403, bad filters 422."""

import csv
import io

import pytest

from tests.analytics.test_pages import a_year_of_work
from tests.api.keyring import bearer, field_named
from tests.factories import ClientFactory


@pytest.mark.django_db
def test_a_drill_down_lists_the_rows_behind_a_figure_a_page_at_a_time(client, personas, read_key):
    for i in range(5):
        ClientFactory(workspace=personas.workspace_a, name=f"Bulk {i}")
    url = "/api/analytics/drill?measure=retention&which=at_end&limit=3"
    first = client.get(url, headers=bearer(read_key)).json()
    assert first["count"] == 7 and len(first["items"]) == 3
    assert first["columns"][0] == {"label": "Client", "numeric": False}
    rest = client.get(url + "&offset=3&limit=10", headers=bearer(read_key)).json()
    names = {row[0] for row in first["items"] + rest["items"]}
    assert "Acme Secret Holdings" in names and "Beta Own Client" not in names and len(names) == 7


@pytest.mark.django_db
def test_the_page_and_the_api_give_the_same_drill_down_csv(client, personas, read_key):
    a_year_of_work(personas)
    query = "measure=profitability&months=12"
    api = client.get(f"/api/analytics/drill/csv?{query}", headers=bearer(read_key))
    assert api.status_code == 200 and api["Content-Type"].startswith("text/csv")
    client.force_login(personas.alice)
    page = client.get(f"/analytics/drill/?{query}&format=csv")
    assert api.content == page.content
    assert "Acme Secret Holdings" in api.content.decode()


@pytest.mark.django_db
def test_the_dashboard_tables_export_as_on_the_page(client, personas, read_key):
    a_year_of_work(personas)
    default = client.get("/api/analytics/export/csv?months=12", headers=bearer(read_key))
    header = next(csv.reader(io.StringIO(default.content.decode())))
    assert header[:2] == ["client_id", "client"]
    trend = client.get("/api/analytics/export/csv?table=trend", headers=bearer(read_key))
    client.force_login(personas.alice)
    assert trend.content == client.get("/analytics/?format=csv&table=trend").content


@pytest.mark.django_db
def test_the_dashboard_downloads_as_a_pdf(client, personas, read_key):
    response = client.get("/api/analytics/export/pdf?months=6", headers=bearer(read_key))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_financial_exports_are_for_owners_and_leaders(client, personas):
    client.force_login(personas.amir)
    for url in (
        "/api/analytics/drill?measure=profitability",
        "/api/analytics/drill/csv?measure=profitability",
        "/api/analytics/export/csv",
        "/api/analytics/export/pdf",
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_bad_drill_downs_and_filters_name_their_field(client, personas, read_key):
    for url, field in (
        ("/api/analytics/drill?measure=nope", "measure"),
        ("/api/analytics/drill?measure=retention&which=nope", "which"),
        ("/api/analytics/drill?measure=nps&bucket=bad", "bucket"),
        ("/api/analytics/drill?measure=nps&months=5", "months"),
        ("/api/analytics/drill?measure=nps&limit=0", "limit"),
        ("/api/analytics/export/csv?table=secrets", "table"),
        ("/api/analytics/export/pdf?start=2026-01-01", "end"),
    ):
        response = client.get(url, headers=bearer(read_key))
        assert response.status_code == 422 and field_named(response, field), url


@pytest.mark.django_db
def test_another_workspace_sees_only_its_own_rows(client, personas):
    client.force_login(personas.charlie)
    rows = client.get("/api/analytics/drill?measure=retention&which=at_end").json()["items"]
    assert [row[0] for row in rows] == ["Beta Own Client"]
    exported = client.get("/api/analytics/drill/csv?measure=retention&which=at_end")
    assert "Acme" not in exported.content.decode()
