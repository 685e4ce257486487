import datetime as dt

import pytest

from trustledger.clients import services
from trustledger.clients.models import Contact
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError


@pytest.mark.django_db
def test_creating_a_client_is_audited(personas):
    client = services.create_client(personas.workspace_a, by=personas.alice, name="  Zeta Co ")
    assert client.name == "Zeta Co"
    entry = AuditEntry.objects.get(action="client.created")
    assert entry.actor == personas.alice and entry.object_id == str(client.pk)


@pytest.mark.django_db
def test_a_client_name_is_unique_within_a_workspace_whatever_the_case(personas):
    with pytest.raises(DomainError) as error:
        services.create_client(personas.workspace_a, by=None, name="acme secret holdings")
    assert error.value.field == "name"


@pytest.mark.django_db
def test_the_same_name_may_exist_in_another_workspace(personas):
    services.create_client(personas.workspace_b, by=None, name=personas.client_a.name)


@pytest.mark.django_db
def test_a_lost_client_needs_a_date(personas):
    with pytest.raises(DomainError) as error:
        services.update_client(personas.client_a, by=None, status="lost")
    assert error.value.field == "lost_on"


@pytest.mark.django_db
def test_marking_a_client_lost_records_the_change_with_old_and_new_values(personas):
    services.update_client(
        personas.client_a,
        by=personas.alice,
        status="lost",
        lost_on=dt.date(2026, 5, 1),
        lost_reason="Chose a competitor",
    )
    entry = AuditEntry.objects.get(action="client.lost")
    assert entry.changes["status"] == ["active", "lost"]
    assert entry.changes["lost_on"] == [None, "2026-05-01"]


@pytest.mark.django_db
def test_reactivating_a_client_clears_the_loss(personas):
    services.update_client(personas.client_a, by=None, status="lost", lost_on=dt.date(2026, 5, 1))
    services.update_client(personas.client_a, by=None, status="active")
    personas.client_a.refresh_from_db()
    assert personas.client_a.lost_on is None


@pytest.mark.django_db
def test_the_account_manager_must_be_a_member_of_the_workspace(personas):
    with pytest.raises(DomainError) as error:
        services.update_client(personas.client_a, by=None, account_manager=personas.charlie)
    assert error.value.field == "account_manager"


@pytest.mark.django_db
def test_a_contact_email_is_unique_in_the_workspace(personas):
    with pytest.raises(DomainError):
        services.create_contact(
            personas.other_client_a, by=None, name="Dup", email=personas.contact_a.email.upper()
        )


@pytest.mark.django_db
def test_naming_a_new_primary_contact_demotes_the_previous_one(personas):
    first = services.create_contact(
        personas.client_a, by=None, name="One", email="one@c.example", is_primary=True
    )
    services.create_contact(
        personas.client_a, by=None, name="Two", email="two@c.example", is_primary=True
    )
    assert not Contact.objects.get(pk=first.pk).is_primary


@pytest.mark.django_db
def test_a_client_cannot_refer_itself_or_twice(personas):
    on = dt.date(2025, 1, 1)
    with pytest.raises(DomainError):
        services.record_referral(personas.client_a, personas.client_a, on=on, by=None)
    services.record_referral(personas.client_a, personas.other_client_a, on=on, by=None)
    with pytest.raises(DomainError):
        services.record_referral(personas.client_a, personas.other_client_a, on=on, by=None)


@pytest.mark.django_db
def test_a_referral_cannot_cross_workspaces(personas):
    with pytest.raises(DomainError):
        services.record_referral(
            personas.client_a, personas.client_b, on=dt.date(2025, 1, 1), by=None
        )
