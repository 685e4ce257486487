"""One clock: "today" and "now" are the workspace's, wherever the server is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from trustledger.communications import services
from trustledger.core.clock import judging_instant
from trustledger.core.inputs import Scope
from trustledger.scoring.index import IndexSettings
from trustledger.trust.services import recompute_client

NEW_YORK = ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 3, 2)


@dataclass
class Firm:
    time_zone: str


def new_york(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NEW_YORK)


def test_rules_judge_today_at_the_actual_instant_and_a_past_day_at_its_end():
    firm = Firm("America/New_York")
    with time_machine.travel(new_york(20, 30), tick=False):  # 01:30 the next day in UTC
        now, present = judging_instant(firm, MONDAY)
        end, past = judging_instant(firm, MONDAY - dt.timedelta(days=1))

    assert (now, present) == (new_york(20, 30), True)
    assert not past and end == new_york(0) - dt.timedelta(microseconds=1)


def test_a_day_is_known_until_its_end_in_the_workspaces_time_zone():
    scope = Scope(Firm("America/New_York"), MONDAY, IndexSettings())  # type: ignore[arg-type]

    assert scope.known_before == new_york(0, day=MONDAY + dt.timedelta(days=1))


@pytest.mark.django_db
def test_an_answer_logged_in_the_evening_counts_in_that_days_index(personas):
    ws = personas.workspace_a
    ws.time_zone = "America/New_York"
    ws.save(update_fields=["time_zone"])
    with time_machine.travel(new_york(9), tick=False):
        inquiry = services.record_inquiry(
            personas.client_a, by=None, channel="email", received_at=new_york(9), subject="Q"
        )
    with time_machine.travel(new_york(20), tick=False):  # logged at 20:00, 01:00 in UTC
        services.record_inquiry_response(inquiry, at=new_york(16), by=None)
        snapshot = recompute_client(personas.client_a)

    assert snapshot.as_of == MONDAY
    assert [e["description"] for e in snapshot.evidence["responsiveness"]] == [
        "Q: first response after 7.0 business hours (88% of the 8 h SLA)"
    ]
