import datetime as dt

import pytest

from trustledger.trust.models import Alert
from trustledger.trust.services import take_snapshots
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key


@pytest.fixture
def key(personas):
    return create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)[1]


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
def test_a_clients_trust_is_explained_down_to_its_indicators(client, personas, key):
    response = client.get(f"/api/clients/{personas.client_a.pk}/trust", headers=bearer(key))
    assert response.status_code == 200
    data = response.json()
    assert data["band"] == "not_enough_data" and data["index"] is None
    assert {i["key"] for i in data["indicators"]} >= {"on_time", "recommendation", "loyalty"}


@pytest.mark.django_db
def test_the_portfolio_and_history(client, personas, key):
    take_snapshots(personas.workspace_a, dt.date.today(), kind="current")
    take_snapshots(personas.workspace_a, dt.date.today() - dt.timedelta(days=7))
    rows = client.get("/api/trust/portfolio", headers=bearer(key)).json()
    assert rows["count"] == 2
    history = client.get(f"/api/clients/{personas.client_a.pk}/trust/history", headers=bearer(key))
    assert len(history.json()) == 1


@pytest.mark.django_db
def test_another_workspaces_client_is_a_404(client, personas, key):
    url = f"/api/clients/{personas.client_b.pk}/trust"
    assert client.get(url, headers=bearer(key)).status_code == 404


@pytest.mark.django_db
def test_alerts_are_listed_and_resolved_by_the_account_manager(client, personas, key):
    alert = Alert.objects.create(
        workspace=personas.workspace_a,
        client=personas.client_a,
        cause="band_drop",
        detail="d",
        suggested_step="s",
        evidence_date=dt.date(2026, 1, 1),
        owner=personas.amir,
    )
    listed = client.get("/api/alerts", headers=bearer(key)).json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    url = f"/api/alerts/{alert.pk}/status"
    assert (
        client.post(
            url, {"status": "resolved"}, content_type="application/json", headers=bearer(key)
        ).status_code
        == 403
    )  # read-only key
    client.force_login(personas.amir)
    bad = client.post(url, {"status": "deleted"}, content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(url, {"status": "resolved"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"
