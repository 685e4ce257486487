import pytest

from tests.smtp import delivered
from trustledger.workspaces.models import AuditEntry, Membership, Role


@pytest.mark.django_db
def test_an_owner_adds_a_person_who_gets_an_invitation_to_set_a_password(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        "/settings/members/", {"email": "new@firm.example", "full_name": "Nia New", "role": "staff"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new@firm.example")
    assert membership.workspace == personas.workspace_a and membership.role == Role.STAFF
    assert delivered()[0].to == ["new@firm.example"]
    assert "/password-reset/" in delivered()[0].body
    assert AuditEntry.objects.filter(action="membership.created").exists()


@pytest.mark.django_db
def test_an_account_manager_cannot_add_people(client, personas):
    client.force_login(personas.amir)
    response = client.post("/settings/members/", {"email": "x@firm.example", "role": "owner"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="x@firm.example").exists()


@pytest.mark.django_db
def test_switching_to_a_workspace_one_belongs_to(client, personas):
    Membership.objects.create(workspace=personas.workspace_b, user=personas.alice, role=Role.STAFF)
    client.force_login(personas.alice)
    client.post(f"/settings/switch/{personas.workspace_b.pk}/")
    assert "Beta Own Client" in client.get("/clients/").content.decode()
