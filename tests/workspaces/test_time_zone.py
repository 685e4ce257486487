"""Pages show dates and times in the workspace's time zone, whatever the server's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.communications.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def test_a_late_evening_call_in_auckland_is_shown_on_the_next_day(client, personas):
    personas.workspace_a.time_zone = "Pacific/Auckland"
    personas.workspace_a.save()
    # 20:30 UTC on 2 March is 09:30 on 3 March in Auckland (UTC+13 in summer)
    InteractionFactory(
        client=personas.client_a,
        kind="check_in",
        subject="Quarterly check-in",
        occurred_at=dt.datetime(2026, 3, 2, 20, 30, tzinfo=dt.UTC),
    )
    client.force_login(personas.alice)
    page = client.get(reverse("clients:story", args=[personas.client_a.pk])).content.decode()
    assert "3 Mar 2026" in page and "2 Mar 2026" not in page


def test_an_unknown_zone_falls_back_to_utc_instead_of_failing(client, personas):
    personas.workspace_a.time_zone = "Mars/Olympus_Mons"
    personas.workspace_a.save()
    client.force_login(personas.alice)
    assert client.get(reverse("clients:list")).status_code == 200
