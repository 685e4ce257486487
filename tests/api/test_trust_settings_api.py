"""The trust configuration through the API: settings and weights (owners, a new audited version
each time), recompute (queued), the backtest (queued, its report read back) and adopting weights."""

import pytest

from tests.api.keyring import field_named, send
from trustledger.core.worker import run_until_idle
from trustledger.scoring.index import INDICATORS
from trustledger.trust.models import SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.workspaces.models import AuditEntry


@pytest.mark.django_db
def test_an_owner_reads_the_settings_in_force(client, personas):
    client.force_login(personas.alice)
    response = send(client, "GET", "/api/trust/settings")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1 and set(data["weights"]) == set(INDICATORS)


@pytest.mark.django_db
def test_changing_settings_saves_a_new_audited_version_and_merges_weights(client, personas):
    client.force_login(personas.alice)
    before = send(client, "GET", "/api/trust/settings").json()
    body = {"weights": {"on_time": 3.5}, "healthy_at": 80, "note": "Delivery matters more"}
    response = send(client, "PATCH", "/api/trust/settings", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 2 and data["healthy_at"] == 80 and data["weights"]["on_time"] == 3.5
    assert data["weights"]["budget"] == before["weights"]["budget"]
    entry = AuditEntry.objects.get(action="trust_config.changed")
    assert entry.changes["healthy_at"] == [before["healthy_at"], 80]
    assert TrustConfig.objects.get(workspace=personas.workspace_a, version=2).note == body["note"]
    versions = send(client, "GET", "/api/trust/settings/versions").json()
    assert [v["version"] for v in versions["items"]] == [2, 1]


@pytest.mark.django_db
def test_an_unchanged_patch_makes_no_new_version(client, personas):
    client.force_login(personas.alice)
    healthy = send(client, "GET", "/api/trust/settings").json()["healthy_at"]
    again = send(client, "PATCH", "/api/trust/settings", {"healthy_at": healthy})
    assert again.json()["version"] == 1


@pytest.mark.django_db
def test_bad_settings_are_refused_with_the_field_named(client, personas):
    client.force_login(personas.alice)
    for body, field in [
        ({"weights": {"charm": 1}}, "weights"),
        ({"weights": {"on_time": -1}}, "weights"),
        ({"min_confidence": 2}, "min_confidence"),
        ({"window_days": "long"}, "window_days"),
    ]:
        response = send(client, "PATCH", "/api/trust/settings", body)
        assert response.status_code == 422 and field_named(response, field), body
    crossed = send(client, "PATCH", "/api/trust/settings", {"at_risk_below": 90, "healthy_at": 60})
    assert crossed.status_code == 400  # the scoring rules refuse crossed thresholds
    assert not TrustConfig.objects.filter(workspace=personas.workspace_a, version=2).exists()


@pytest.mark.django_db
def test_settings_are_an_owners_and_stay_in_their_workspace(client, personas, read_key, write_key):
    assert send(client, "GET", "/api/trust/settings", key=read_key).status_code == 403
    patch = {"healthy_at": 70}
    assert send(client, "PATCH", "/api/trust/settings", patch, key=write_key).status_code == 403
    client.force_login(personas.amir)
    assert send(client, "PATCH", "/api/trust/settings", patch).status_code == 403
    client.force_login(personas.charlie)
    assert send(client, "PATCH", "/api/trust/settings", patch).json()["version"] == 2
    assert not TrustConfig.objects.filter(workspace=personas.workspace_a, version=2).exists()


@pytest.mark.django_db
def test_recompute_is_queued_and_the_worker_computes_every_client(client, personas, write_key):
    response = send(client, "POST", "/api/trust/recompute", key=write_key)
    assert response.status_code == 202 and response.json()["task_id"]
    assert not TrustSnapshot.objects.filter(workspace=personas.workspace_a).exists()
    run_until_idle()
    current = TrustSnapshot.objects.filter(
        workspace=personas.workspace_a, kind=SnapshotKind.CURRENT
    )
    assert set(current.values_list("client_id", flat=True)) == {
        personas.client_a.pk,
        personas.other_client_a.pk,
    }


@pytest.mark.django_db
def test_recompute_needs_managing_clients(client, personas, read_key):
    assert send(client, "POST", "/api/trust/recompute", key=read_key).status_code == 403
    client.force_login(personas.sam)
    assert send(client, "POST", "/api/trust/recompute").status_code == 403


@pytest.mark.django_db
def test_a_backtest_runs_in_the_worker_and_its_report_is_read_back(
    client, personas, read_key, write_key
):
    started = send(client, "POST", "/api/trust/backtests", {"months": 3}, key=write_key)
    assert started.status_code == 202 and started.json()["report"] is None
    url = f"/api/trust/backtests/{started.json()['task_id']}"
    assert send(client, "GET", url, key=read_key).json()["status"] == "READY"
    run_until_idle()
    done = send(client, "GET", url, key=read_key).json()
    assert done["status"] == "SUCCESSFUL"
    assert done["report"]["months"] == 3 and "auc" in done["report"]


@pytest.mark.django_db
def test_another_workspaces_backtest_is_a_404_and_bad_input_a_422(
    client, personas, read_key, write_key
):
    client.force_login(personas.charlie)
    theirs = send(client, "POST", "/api/trust/backtests", {"months": 2}).json()["task_id"]
    client.logout()
    assert send(client, "GET", f"/api/trust/backtests/{theirs}", key=read_key).status_code == 404
    unknown = "/api/trust/backtests/not-a-task"
    assert send(client, "GET", unknown, key=read_key).status_code == 404
    bad = send(client, "POST", "/api/trust/backtests", {"months": 0}, key=write_key)
    assert bad.status_code == 422 and field_named(bad, "months")


@pytest.mark.django_db
def test_an_owner_adopts_learned_weights_as_a_new_version(client, personas):
    weights = dict.fromkeys(INDICATORS, 1.0) | {"loyalty": 4.0}
    client.force_login(personas.alice)
    response = send(client, "POST", "/api/trust/settings/adopt-weights", {"weights": weights})
    assert response.status_code == 200
    assert response.json()["weights"]["loyalty"] == 4.0 and response.json()["version"] == 2
    config = TrustConfig.objects.get(workspace=personas.workspace_a, version=2)
    assert config.note == "Adopted weights learned by the backtest"


@pytest.mark.django_db
def test_adopting_weights_is_an_owners_and_needs_every_indicator(client, personas, write_key):
    weights = dict.fromkeys(INDICATORS, 1.0)
    url = "/api/trust/settings/adopt-weights"
    assert send(client, "POST", url, {"weights": weights}, key=write_key).status_code == 403
    client.force_login(personas.amir)
    assert send(client, "POST", url, {"weights": weights}).status_code == 403
    client.force_login(personas.alice)
    partial = send(client, "POST", url, {"weights": {"on_time": 2.0}})
    assert partial.status_code == 400 and field_named(partial, "weights")
    unknown = send(client, "POST", url, {"weights": weights | {"charm": 1.0}})
    assert unknown.status_code == 422 and field_named(unknown, "weights")
    assert not TrustConfig.objects.filter(workspace=personas.workspace_a, version=2).exists()
