"""The fact seam: announced once per transaction, after commit, to every subscriber."""

from __future__ import annotations

import pytest
from django.db import transaction

from trustledger.core import facts
from trustledger.core.facts import FactChange, announce


@pytest.fixture
def heard():
    changes: list[FactChange] = []
    facts.subscribe(changes.append)
    yield changes
    facts._subscribers.remove(changes.append)


@pytest.mark.django_db
def test_announcements_in_one_transaction_reach_subscribers_once_after_commit(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce(1, [10], "milestone", engagement_ids=[100])
        announce(1, [10, 11], "timeentry")
        announce(2, [20], "inquiry")
        assert heard == []  # nothing before commit
    assert heard == [
        FactChange(1, frozenset({10, 11}), frozenset({"milestone", "timeentry"}), frozenset({100})),
        FactChange(2, frozenset({20}), frozenset({"inquiry"})),
    ]


@pytest.mark.django_db
def test_a_rolled_back_transaction_announces_nothing(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            announce(1, [10], "milestone")
            transaction.set_rollback(True)
        with transaction.atomic():
            announce(1, [11], "notice")
    assert heard == [FactChange(1, frozenset({11}), frozenset({"notice"}))]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_change_is_delivered_at_once(heard):
    announce(3, [30, None], "client")
    assert heard == [FactChange(3, frozenset({30}), frozenset({"client"}))]
    announce(3, [], "client")  # nothing affected: nothing said
    assert len(heard) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_stop_the_others(heard, caplog):
    def broken(change: FactChange) -> None:
        raise RuntimeError("boom")

    facts._subscribers.insert(0, broken)
    try:
        announce(1, [10], "client")
    finally:
        facts._subscribers.remove(broken)
    assert len(heard) == 1
    assert "fact subscriber" in caplog.text
