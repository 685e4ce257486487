"""History that edits cannot rewrite (issue 14, "Bitemporal facts"): an edit or deletion recorded
after T never changes the index as of T, a stored snapshot for T, or the backtest's month value;
as of after the edit, the new value counts.

Facts are recorded through the services at the instant the clock says (time-machine), as a firm
would have recorded them over the year.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.test_engagements_api import Api
from tests.background import run_job
from tests.engagements.factories import (
    EngagementFactory,
    MilestoneFactory,
    ScopeItemFactory,
    TimeEntryFactory,
)
from trustledger.clients.timeline import client_timeline
from trustledger.core import history
from trustledger.core.models import FactVersion
from trustledger.engagements import services
from trustledger.engagements.models import TimeEntry
from trustledger.scoring.display import kept
from trustledger.scoring.index import IndexSettings
from trustledger.trust import signals
from trustledger.trust.backtest import observations
from trustledger.trust.models import SnapshotKind, TrustSnapshot
from trustledger.trust.services import score_workspace, take_snapshots, update_config
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

pytestmark = pytest.mark.django_db

JUNE_SUNDAY = dt.date(2026, 6, 14)
TODAY = dt.date(2026, 12, 3)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def index_as_of(client, day: dt.date) -> float | None:
    """The index as of ``day`` as a snapshot keeps it."""
    cards, _ = score_workspace(client.workspace, day, client_ids=[client.pk])
    value = cards[client.pk].index.index
    return None if value is None else kept(value)


def june_snapshot(client, day: dt.date = JUNE_SUNDAY) -> float | None:
    """The index of the weekly snapshot stored for ``day``."""
    snapshot = TrustSnapshot.objects.get(client=client, kind=SnapshotKind.WEEKLY, as_of=day)
    return snapshot.index


def history_of_a_june_delivery(client):
    """An engagement with a milestone due 12 Jun, delivered that day and recorded then,
    and another due on 8 May and delivered a week late: June's index reads both."""
    engagement = EngagementFactory(
        client=client,
        start_date=dt.date(2026, 3, 2),
        activated_on=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 12, 18),
    )
    with time_machine.travel(at(dt.date(2026, 3, 2)), tick=False):
        may = services.add_milestone(
            engagement, by=None, name="Design", committed_date=dt.date(2026, 5, 8), buffer_days=0
        )
        june = services.add_milestone(
            engagement, by=None, name="Build", committed_date=dt.date(2026, 6, 12), buffer_days=0
        )
    with time_machine.travel(at(dt.date(2026, 5, 15)), tick=False):
        services.deliver_milestone(may, on=dt.date(2026, 5, 15), by=None)
    with time_machine.travel(at(dt.date(2026, 6, 12)), tick=False):
        services.deliver_milestone(june, on=dt.date(2026, 6, 12), by=None)
        services.log_time(
            engagement, by=None, date=dt.date(2026, 6, 12), hours=Decimal(8), bill_rate=150
        )
    return engagement, june


def test_editing_a_delivery_date_through_the_api_leaves_the_stored_june_snapshot_as_it_was(
    client, personas, pipeline
):
    """The issue's case: a stored June snapshot moved (40.02 -> 41.90) after an edit in
    December. The weekly job for that Sunday, run again (a retry, a catch-up), recomputed it from
    the edited row; the backtest's June month end and the index as of June moved with it."""
    update_config(personas.workspace_a, by=None, min_confidence=0)  # a few facts show a value
    _, june = history_of_a_june_delivery(personas.client_a)
    with time_machine.travel(at(JUNE_SUNDAY + dt.timedelta(days=1), 3), tick=False):
        run_job("trust.weekly_snapshots", personas.workspace_a, JUNE_SUNDAY.isoformat())
    stored = june_snapshot(personas.client_a)
    assert stored is not None
    month_end = dt.date(2026, 6, 30)
    before = index_as_of(personas.client_a, month_end)

    with time_machine.travel(at(TODAY), tick=False):
        _, raw = create_api_key(
            personas.workspace_a, name="rw", scope=ApiKeyScope.READ_WRITE, by=None
        )
        with pipeline():
            edited = Api(client, raw).patch(
                f"/milestones/{june.pk}", {"delivered_on": "2026-06-11"}
            )
        assert edited.status_code == 200, edited.content
        take_snapshots(personas.workspace_a, JUNE_SUNDAY)  # the weekly job for June, again

        assert june_snapshot(personas.client_a) == stored
        assert index_as_of(personas.client_a, JUNE_SUNDAY) == stored
        assert index_as_of(personas.client_a, month_end) == before
        (june_end,) = [
            o
            for o in observations(personas.workspace_a, months=6, today=TODAY, horizon_days=30)
            if o.month_end == month_end and o.client_id == personas.client_a.pk
        ]
        assert kept(june_end.index) == before


# The property: for generated facts and an edit or deletion recorded after T, the index as of T,
# the snapshot stored for T and the backtest's month-end value do not move; as of the edit's day
# and later, the new version counts.

DAYS = st.integers(0, 150)  # days after 2 Mar 2026
START = dt.date(2026, 3, 2)
MILESTONE = st.tuples(DAYS, st.integers(0, 5), st.none() | st.integers(-5, 25))
ENTRY = st.tuples(DAYS, st.integers(1, 10), st.booleans())  # on the charter's scope or not


def on(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


def generated_history(client, milestones, entries):
    """Milestones recorded on 2 Mar, each delivered (or not) and its delivery recorded that day;
    time logged (on the charter's scope item or outside it) and recorded the day it was worked."""
    engagement = EngagementFactory(
        client=client, start_date=START, activated_on=START, end_date=dt.date(2026, 12, 18)
    )
    item = ScopeItemFactory(engagement=engagement)
    rows = []
    for committed, buffer, late in milestones:
        delivered = None if late is None else min(on(committed + late), TODAY)
        rows.append(
            MilestoneFactory(
                engagement=engagement,
                committed_date=on(committed),
                buffer_days=buffer,
                status="planned" if delivered is None else "delivered",
                delivered_on=delivered,
                delivery_recorded_at=None if delivered is None else at(delivered),
                recorded_at=at(START),
            )
        )
    logged = [
        TimeEntryFactory(
            engagement=engagement,
            date=on(day),
            hours=hours,
            scope_item=item if on_scope else None,
            recorded_at=at(on(day)),
        )
        for day, hours, on_scope in entries
    ]
    return rows, logged, item


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def backtest_value(client, day: dt.date) -> float | None:
    (found,) = [
        o
        for o in observations(client.workspace, months=1, today=day, horizon_days=0)
        if o.client_id == client.pk
    ]
    return None if found.index is None else kept(found.index)


MILESTONE_EDITS = ["delivered_on", "undeliver", "buffer_days", "cancel", "delete"]
ENTRY_EDITS = ["hours", "date", "scope_item", "delete entry"]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    milestones=st.lists(MILESTONE, min_size=1, max_size=4),
    entries=st.lists(ENTRY, min_size=1, max_size=4),
    as_of=st.integers(20, 170),
    edit=st.sampled_from(MILESTONE_EDITS + ENTRY_EDITS),
    which=st.integers(0, 3),
    new_day=st.integers(0, 180),
    edited_after=st.integers(1, 60),
)
def test_an_edit_recorded_after_t_never_changes_the_index_as_of_t(
    personas, milestones, entries, as_of, edit, which, new_day, edited_after
):
    client, t = personas.client_a, on(as_of)
    edit_day = min(month_end(t) + dt.timedelta(days=edited_after), TODAY)
    with transaction.atomic():
        update_config(personas.workspace_a, by=None, min_confidence=0)
        rows, logged, item = generated_history(client, milestones, entries)
        before = index_as_of(client, t)
        with time_machine.travel(at(t + dt.timedelta(days=1), 3), tick=False):
            take_snapshots(personas.workspace_a, t, alerts=False)
        stored = june_snapshot(client, t)
        month_value = backtest_value(client, month_end(t))

        with time_machine.travel(at(edit_day), tick=False):
            new_date = min(on(new_day), edit_day)
            if edit in MILESTONE_EDITS:
                milestone = rows[which % len(rows)]
                new = edit_milestone(milestone, edit, new_date)
            else:
                edit_entry(logged[which % len(logged)], edit, new_date, item)
            take_snapshots(personas.workspace_a, t, alerts=False)  # the weekly job, again

        assert index_as_of(client, t) == before
        assert june_snapshot(client, t) == stored == before
        assert backtest_value(client, month_end(t)) == month_value
        if edit in MILESTONE_EDITS:
            assert milestone_as_of(client, milestone, TODAY) == new
        else:
            assert hours_as_of(client, TODAY) == live_hours(client)
        transaction.set_rollback(True)


def edit_milestone(milestone, edit: str, delivery: dt.date):
    """Make the edit through the service (a deletion as a service would: keep the version, then
    delete); return the milestone's (buffer, delivered) as the index should read it after."""
    if edit == "delete":
        history.record_deletion(milestone)
        milestone.delete()
        return None
    change = {
        "delivered_on": {"status": "delivered", "delivered_on": delivery},
        "undeliver": {"status": "planned", "delivered_on": None},
        "buffer_days": {"buffer_days": milestone.buffer_days + 3},
        "cancel": {"status": "cancelled"},
    }[edit]
    services.update_milestone(milestone, by=None, **change)
    if milestone.status == "cancelled":
        return None
    return (milestone.buffer_days, milestone.delivered_on)


def edit_entry(entry, edit: str, day: dt.date, item) -> None:
    """Edit or delete a time entry through its services."""
    if edit == "delete entry":
        services.delete_time_entry(entry, by=None)
        return
    change = {
        "hours": {"hours": entry.hours + 2},
        "date": {"date": day},
        "scope_item": {"scope_item": None if entry.scope_item_id else item},
    }[edit]
    services.update_time_entry(entry, by=None, **change)


def facts_as_of(client, day: dt.date):
    return signals.collect(client.workspace, day, IndexSettings(window_days=400), [client.pk])[
        client.pk
    ]


def milestone_as_of(client, milestone, day: dt.date):
    """The milestone as the index reads it on ``day`` (None: not read at all)."""
    found = [
        (m.buffer_days, m.delivered)
        for m in facts_as_of(client, day).milestones
        if m.name.endswith(f": {milestone.name}")
    ]
    return found[0] if found else None


def hours_as_of(client, day: dt.date) -> dict[bool | None, float]:
    """Hours the index reads as of ``day``, by standing (approved or not)."""
    hours: dict[bool | None, float] = {}
    for work in facts_as_of(client, day).scope_work:
        hours[work.approved] = hours.get(work.approved, 0) + work.hours
    return hours


def live_hours(client) -> dict[bool | None, float]:
    hours: dict[bool | None, float] = {}
    for entry in TimeEntry.objects.filter(engagement__client=client):
        approved = entry.scope_item_id is not None
        hours[approved] = hours.get(approved, 0) + float(entry.hours)
    return hours


def test_the_timeline_shows_a_correction_as_such_on_the_day_it_was_recorded(personas):
    engagement, june = history_of_a_june_delivery(personas.client_a)
    entry = engagement.time_entries.get()
    with time_machine.travel(at(TODAY), tick=False):
        services.update_milestone(june, by=None, delivered_on=dt.date(2026, 6, 11), name="Go")
        services.delete_time_entry(entry, by=None)

    events = client_timeline(personas.workspace_a, personas.client_a, kinds={"Correction"})

    assert [(e.on, e.title) for e in events] == [
        (TODAY, "Delivery date of Build corrected on 3 Dec (was 12 Jun, now 11 Jun)"),
        (TODAY, "Time entry of 8.00 h on 12 Jun deleted on 3 Dec"),
    ]


def test_an_edit_of_a_field_the_index_does_not_read_keeps_no_version(personas):
    _, june = history_of_a_june_delivery(personas.client_a)
    recorded = june.recorded_at
    with time_machine.travel(at(TODAY), tick=False):
        services.update_milestone(june, by=None, name="Build and test", forecast_date=None)
    june.refresh_from_db()
    assert june.recorded_at == recorded
    assert not FactVersion.objects.exists()
