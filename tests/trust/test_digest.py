import datetime as dt

import pytest

from tests.smtp import delivered
from trustledger.trust.digest import send_alert_digests
from trustledger.trust.models import Alert

DAY = dt.date(2026, 4, 30)


def _alert(personas, cause, owner, status="open"):
    return Alert.objects.create(
        workspace=personas.workspace_a,
        client=personas.client_a,
        cause=cause,
        owner=owner,
        detail=f"{cause} detail",
        suggested_step="Call the sponsor",
        evidence_date=DAY,
        status=status,
    )


@pytest.mark.django_db
def test_each_owner_gets_one_digest_a_day_with_their_open_alerts(personas):
    _alert(personas, "band_drop", personas.amir)
    _alert(personas, "forecast_overrun", personas.amir, status="acknowledged")
    _alert(personas, "index_fall", personas.amir, status="resolved")
    _alert(personas, "detractor_answer", personas.alice)
    ws = personas.workspace_a
    assert send_alert_digests(ws, DAY, base_url="https://trust.example") == 2
    (to_amir,) = [m for m in delivered() if m.to == [personas.amir.email]]
    assert to_amir.subject == "2 trust alerts in Alpha Advisors"
    assert "Dropped a band" in to_amir.body and "Forecast overrun" in to_amir.body
    assert "Sharp fall" not in to_amir.body
    assert f"https://trust.example/trust/clients/{personas.client_a.pk}/" in to_amir.body
    assert send_alert_digests(ws, DAY) == 0  # once a day
    assert send_alert_digests(ws, DAY + dt.timedelta(days=1)) == 2
    assert send_alert_digests(personas.workspace_b, DAY) == 0  # another firm's alerts: not here


@pytest.mark.django_db
def test_nobody_is_mailed_without_open_alerts(personas):
    _alert(personas, "band_drop", personas.amir, status="resolved")
    assert send_alert_digests(personas.workspace_a, DAY) == 0
    assert delivered() == []
