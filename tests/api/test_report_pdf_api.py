"""A status report's PDF through the API: the page's PDF, for anyone who reads the workspace."""

import pytest

from tests.api.keyring import bearer, field_named
from tests.reports.scenario import build
from trustledger.reports import services


@pytest.fixture
def report(personas):
    scenario = build(personas)
    return services.draft_report(personas.client_a, engagement=scenario.engagement, by=None)


@pytest.mark.django_db
def test_a_read_only_key_downloads_the_pdf(client, personas, report, read_key):
    response = client.get(f"/api/status-reports/{report.pk}/pdf", headers=bearer(read_key))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('.pdf"')


@pytest.mark.django_db
def test_another_workspaces_report_is_a_404_and_a_bad_id_a_422(client, personas, report):
    client.force_login(personas.charlie)
    assert client.get(f"/api/status-reports/{report.pk}/pdf").status_code == 404
    bad = client.get("/api/status-reports/first/pdf")
    assert bad.status_code == 422 and field_named(bad, "report_id")


@pytest.mark.django_db
def test_the_pdf_route_is_documented_as_a_pdf(client, personas):
    client.force_login(personas.alice)
    schema = client.get("/api/openapi.json").json()
    ok = schema["paths"]["/api/status-reports/{report_id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in ok["content"]
