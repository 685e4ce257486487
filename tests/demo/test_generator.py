import datetime as dt
import random

import pytest

from trustledger.clients.models import Client, Referral
from trustledger.demo import generate_demo_firm
from trustledger.demo.simulation import Archetype, simulate_stories
from trustledger.engagements.models import Engagement, Milestone, TimeEntry

TODAY = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_the_demo_firm_has_a_realistic_mix_of_clients():
    workspace = generate_demo_firm(seed=7, today=TODAY)
    clients = Client.objects.for_workspace(workspace)
    assert clients.count() >= 40
    assert clients.filter(status="lost").count() >= 3
    assert clients.filter(relationship_start__lt=TODAY - dt.timedelta(days=2 * 365)).exists()
    assert Referral.objects.for_workspace(workspace).exists()


@pytest.mark.django_db
def test_clients_who_left_were_served_worse_than_those_who_stayed():
    workspace = generate_demo_firm(seed=7, today=TODAY)
    milestones = Milestone.objects.for_workspace(workspace).filter(delivered_on__isnull=False)

    def late_share(status):
        ours = list(milestones.filter(engagement__client__status=status))
        late = [m for m in ours if m.days_late > m.buffer_days]
        return len(late) / len(ours)

    assert late_share("lost") > 1.5 * late_share("active")
    assert TimeEntry.objects.for_workspace(workspace).count() > 5000
    assert Engagement.objects.for_workspace(workspace).filter(status="active").exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_firm():
    a = generate_demo_firm(seed=3, today=TODAY, slug="a")
    b = generate_demo_firm(seed=3, today=TODAY, slug="b")

    def shape(ws):
        return list(
            Client.objects.for_workspace(ws).values_list("name", "tier", "status", "lost_on")
        )

    assert shape(a) == shape(b)


def test_departures_come_from_simulated_service_not_from_a_label():
    stories = simulate_stories(random.Random(11), TODAY, 400)
    lost = [s for s in stories if s.lost_on]
    loyal = [s for s in stories if s.archetype == Archetype.LOYAL]
    assert lost, "some clients leave"
    assert all(s.quality(s.lost_on) < 0.6 for s in lost)
    assert sum(1 for s in loyal if s.lost_on) <= len(loyal) * 0.05


@pytest.mark.django_db
def test_the_demo_firm_has_rates_for_every_currency_its_engagements_use():
    from trustledger.analytics import selectors
    from trustledger.analytics.selectors import Period

    workspace = generate_demo_firm(seed=7, today=TODAY)
    currencies = set(Engagement.objects.for_workspace(workspace).values_list("currency", flat=True))
    assert {"EUR", "GBP", "USD"} <= currencies  # a firm that bills in several currencies

    first = TimeEntry.objects.for_workspace(workspace).order_by("date").first()
    revenue = selectors.client_revenue(workspace, Period(first.date, TODAY))

    assert revenue.currency == "EUR"
    assert revenue.missing == ()  # every amount converts: no "no rate" note on its pages
