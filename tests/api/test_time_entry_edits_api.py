"""Correcting and removing logged time through the API: checked as when it was logged, audited,
and announced to the trust index and analytics like any other change of fact."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.api.keyring import field_named, send
from tests.engagements.factories import (
    ChangeRequestFactory,
    EngagementFactory,
    ScopeItemFactory,
    TimeEntryFactory,
)
from trustledger.core import facts
from trustledger.engagements.models import TimeEntry
from trustledger.workspaces.models import AuditEntry


@pytest.fixture
def heard():
    changes = []
    facts.subscribe(changes.append)
    yield changes
    facts._subscribers.remove(changes.append)


@pytest.fixture
def entry(personas):
    engagement = EngagementFactory(client=personas.client_a)
    return TimeEntryFactory(engagement=engagement, person=personas.sam, person_name="Sam Staff")


@pytest.mark.django_db
def test_staff_correct_hours_and_day_and_the_change_is_audited_and_announced(
    client, personas, entry, heard, django_capture_on_commit_callbacks
):
    client.force_login(personas.sam)
    body = {"hours": "6.5", "date": "2026-02-03", "note": "two hours were travel"}
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "PATCH", f"/api/time-entries/{entry.pk}", body)
    assert response.status_code == 200, response.content
    assert response.json()["hours"] == "6.50" and response.json()["date"] == "2026-02-03"
    entry.refresh_from_db()
    assert entry.hours == Decimal("6.5") and entry.date == dt.date(2026, 2, 3)
    audit = AuditEntry.objects.get(action="time.updated", object_id=str(entry.pk))
    assert audit.changes["hours"] == ["8.00", "6.5"] and "date" in audit.changes
    assert any(personas.client_a.pk in c.client_ids and "timeentry" in c.kinds for c in heard)


@pytest.mark.django_db
def test_moving_time_onto_a_scope_item_ends_its_scope_creep(client, personas, entry, write_key):
    item = ScopeItemFactory(engagement=entry.engagement)
    url = f"/api/time-entries/{entry.pk}"
    assert send(client, "GET", url, key=write_key).json()["scope_creep"] is True
    moved = send(client, "PATCH", url, {"scope_item_id": item.pk}, key=write_key)
    assert moved.status_code == 200 and moved.json()["scope_creep"] is False
    back = send(client, "PATCH", url, {"scope_item_id": None}, key=write_key)
    assert back.json()["scope_item_id"] is None and back.json()["scope_creep"] is True


@pytest.mark.django_db
def test_nonsense_corrections_are_refused_with_the_field_named(client, personas, entry, write_key):
    url = f"/api/time-entries/{entry.pk}"
    for body, field, status in [
        ({"hours": 25}, "hours", 422),
        ({"hours": 0}, "hours", 422),
        ({"hours": None}, "hours", 422),
        ({"date": "2026-02-30"}, "date", 422),
        ({"date": "1066-10-14"}, "date", 422),
        ({"date": None}, "date", 422),
        ({"cost_rate": -1}, "cost_rate", 422),
        ({"person_id": personas.charlie.pk}, "person_id", 400),
    ]:
        response = send(client, "PATCH", url, body, key=write_key)
        assert response.status_code == status and field_named(response, field), body
    other_scope = ScopeItemFactory(engagement=EngagementFactory(client=personas.client_a))
    wrong = send(client, "PATCH", url, {"scope_item_id": other_scope.pk}, key=write_key)
    assert wrong.status_code == 400 and field_named(wrong, "scope_item_id")
    cr = ChangeRequestFactory(engagement=EngagementFactory(client=personas.client_a))
    wrong_cr = send(client, "PATCH", url, {"change_request_id": cr.pk}, key=write_key)
    assert wrong_cr.status_code == 400 and field_named(wrong_cr, "change_request_id")
    entry.refresh_from_db()
    assert entry.hours == Decimal(8) and entry.date == dt.date(2026, 2, 2)
    assert not AuditEntry.objects.filter(action="time.updated").exists()


@pytest.mark.django_db
def test_the_service_refuses_what_the_schema_would_also_refuse(entry):
    from trustledger.engagements.services import update_time_entry
    from trustledger.workspaces.services import DomainError

    with pytest.raises(DomainError) as refused:
        update_time_entry(entry, by=None, hours=Decimal(30))
    assert refused.value.field == "hours"
    with pytest.raises(DomainError) as refused:
        update_time_entry(entry, by=None, engagement=None)
    assert refused.value.field == "engagement"


@pytest.mark.django_db
def test_a_person_change_names_the_new_person(client, personas, entry, write_key):
    url = f"/api/time-entries/{entry.pk}"
    response = send(client, "PATCH", url, {"person_id": personas.amir.pk}, key=write_key)
    assert response.json()["person_id"] == personas.amir.pk
    assert response.json()["person_name"] == personas.amir.get_full_name()


@pytest.mark.django_db
def test_deleting_time_removes_it_and_the_audit_keeps_what_it_was(
    client, personas, entry, heard, django_capture_on_commit_callbacks
):
    client.force_login(personas.sam)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "DELETE", f"/api/time-entries/{entry.pk}")
    assert response.status_code == 204
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()
    audit = AuditEntry.objects.get(action="time.deleted", object_id=str(entry.pk))
    assert audit.changes["hours"] == ["8.00", None]
    assert any(personas.client_a.pk in c.client_ids for c in heard)


@pytest.mark.django_db
def test_a_read_only_key_can_neither_edit_nor_delete(client, personas, entry, read_key):
    url = f"/api/time-entries/{entry.pk}"
    assert send(client, "PATCH", url, {"hours": 4}, key=read_key).status_code == 403
    assert send(client, "DELETE", url, key=read_key).status_code == 403
    assert TimeEntry.objects.get(pk=entry.pk).hours == Decimal(8)


@pytest.mark.django_db
def test_another_workspaces_time_is_a_404(client, personas, entry):
    client.force_login(personas.charlie)
    url = f"/api/time-entries/{entry.pk}"
    assert send(client, "PATCH", url, {"hours": 4}).status_code == 404
    assert send(client, "DELETE", url).status_code == 404
    assert TimeEntry.objects.filter(pk=entry.pk, hours=Decimal(8)).exists()
