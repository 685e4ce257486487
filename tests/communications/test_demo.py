"""The demo firm's communication history comes from each client's simulated service quality:
clients who were lost got slower answers and fewer check-ins before they left."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from trustledger.clients.models import Client
from trustledger.communications import selectors
from trustledger.communications.models import CommunicationPlan, Inquiry, Interaction
from trustledger.demo import generate_demo_firm

TODAY = dt.date(2026, 11, 1)


def _before(client: Client) -> dt.datetime:
    end = client.lost_on or TODAY
    return dt.datetime.combine(end, dt.time(12), tzinfo=dt.UTC)


@pytest.mark.django_db
def test_lost_clients_were_answered_slower_and_met_less_before_they_left():
    ws = generate_demo_firm(seed=7, today=TODAY)
    clients = list(Client.objects.for_workspace(ws))
    assert CommunicationPlan.objects.for_workspace(ws).count() == len(clients)
    assert Interaction.objects.for_workspace(ws).count() > 3000
    assert Inquiry.objects.for_workspace(ws).filter(first_response_at__isnull=True).exists()

    def attainment(client):
        end = _before(client)
        stats = selectors.response_measures(
            ws, now=end, since=end - dt.timedelta(days=180), client_ids=[client.pk]
        )
        return stats[client.pk]["email"].attainment

    def check_ins(client):
        [adherence] = [
            a
            for a in selectors.cadence_measures(
                ws, as_of=_before(client).date(), client_ids=[client.pk]
            )[client.pk]
            if a.kind == "check_in"
        ]
        return adherence.rate

    lost = [c for c in clients if c.status == "lost"]
    kept = [c for c in clients if c.status == "active"]
    assert statistics.mean(map(attainment, lost)) < statistics.mean(map(attainment, kept)) - 0.2
    assert statistics.mean(map(check_ins, lost)) < statistics.mean(map(check_ins, kept)) - 0.1
