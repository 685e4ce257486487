import pytest

from tests.factories import ClientFactory
from trustledger.clients.models import Client


@pytest.mark.django_db
def test_the_list_searches_filters_and_paginates(client, personas):
    for n in range(30):
        ClientFactory(workspace=personas.workspace_a, name=f"Bulk {n:02d}", tier="key")
    client.force_login(personas.alice)
    page1 = client.get("/clients/?tier=key").content.decode()
    assert "Bulk 00" in page1 and "Acme Secret" not in page1
    assert "Page 1 of 2" in page1
    assert "Bulk 29" in client.get("/clients/?tier=key&page=2").content.decode()
    found = client.get("/clients/?q=acme").content.decode()
    assert "Acme Secret Holdings" in found and "Bulk 00" not in found


@pytest.mark.django_db
def test_filtering_by_account_manager(client, personas):
    client.force_login(personas.alice)
    body = client.get(f"/clients/?account_manager={personas.amir.pk}").content.decode()
    assert "Acme Secret Holdings" in body and "Other Alpha Client" not in body


@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_table(client, personas):
    client.force_login(personas.alice)
    body = client.get("/clients/?q=acme", headers={"HX-Request": "true"}).content.decode()
    assert "<table" in body and "<html" not in body


@pytest.mark.django_db
def test_no_match_says_so_and_offers_to_clear(client, personas):
    client.force_login(personas.alice)
    assert "No client matches" in client.get("/clients/?q=zzzz").content.decode()


@pytest.mark.django_db
def test_a_new_workspace_gets_an_empty_state_that_says_what_to_do(client, personas):
    Client.objects.filter(workspace=personas.workspace_b).delete()
    client.force_login(personas.charlie)
    assert "Add your first client" in client.get("/clients/").content.decode()


@pytest.mark.django_db
def test_creating_a_client_with_a_taken_name_shows_the_error_by_the_field(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        "/clients/new/",
        {
            "name": "Acme Secret Holdings",
            "tier": "standard",
            "status": "active",
            "relationship_start": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


@pytest.mark.django_db
def test_creating_a_client_redirects_to_its_page(client, personas):
    client.force_login(personas.amir)
    response = client.post(
        "/clients/new/",
        {
            "name": "Gamma",
            "tier": "key",
            "status": "active",
            "relationship_start": "2025-01-01",
            "account_manager": personas.amir.pk,
        },
        follow=True,
    )
    assert "Gamma" in response.content.decode()
    assert Client.objects.get(name="Gamma").workspace == personas.workspace_a


@pytest.mark.django_db
def test_an_account_manager_edits_only_their_own_clients(client, personas):
    client.force_login(personas.amir)
    assert client.get(f"/clients/{personas.client_a.pk}/edit/").status_code == 200
    other = ClientFactory(workspace=personas.workspace_a, account_manager=personas.alice)
    assert client.get(f"/clients/{other.pk}/edit/").status_code == 403


@pytest.mark.django_db
def test_staff_read_clients_but_cannot_create_them(client, personas):
    client.force_login(personas.sam)
    assert client.get(f"/clients/{personas.client_a.pk}/").status_code == 200
    assert client.get("/clients/new/").status_code == 403


@pytest.mark.django_db
def test_the_client_page_lists_its_contacts(client, personas):
    client.force_login(personas.sam)
    assert (
        personas.contact_a.email in client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_adding_a_contact_with_a_bad_email_shows_the_field_error(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        f"/clients/{personas.client_a.pk}/contacts/new/", {"name": "X", "email": "not-an-email"}
    )
    assert "Enter a valid email address" in response.content.decode()
