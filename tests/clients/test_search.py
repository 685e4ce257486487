"""Global search: clients, engagements and contacts of the caller's workspace only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.engagements.factories import EngagementFactory
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_one_search_finds_clients_engagements_and_contacts(client, personas):
    EngagementFactory(client=personas.client_a, name="Harbour ledger migration")
    ContactFactory(
        client=personas.other_client_a, name="Hana Harbour", email="hana@harbour.example"
    )
    ClientFactory(workspace=personas.workspace_a, name="Harbourside Ltd")
    client.force_login(personas.sam)
    page = client.get(reverse("search"), {"q": "harbour"}).content.decode()
    # the client whose contact matches is found too
    assert "4 results for" in page
    for found in ("Harbour ledger migration", "Hana Harbour", "Harbourside Ltd"):
        assert found in page
    assert personas.other_client_a.name in page


def test_search_never_crosses_workspaces(client, personas):
    ClientFactory(workspace=personas.workspace_b, name="Harbour Secret Co")
    client.force_login(personas.alice)
    page = client.get(reverse("search"), {"q": "harbour"}).content.decode()
    assert "Harbour Secret Co" not in page
    assert "Nothing matches" in page


def test_a_long_group_links_to_the_full_list(client, personas):
    for n in range(12):
        ClientFactory(workspace=personas.workspace_a, name=f"Northwind {n:02d}")
    client.force_login(personas.alice)
    page = client.get(reverse("search"), {"q": "northwind"}).content.decode()
    assert "All 12" in page and f"{reverse('clients:list')}?q=northwind" in page
    assert page.count("Northwind ") >= 10


def test_every_page_has_the_search_box_and_an_empty_search_asks_for_words(client, personas):
    client.force_login(personas.alice)
    home = client.get(reverse("clients:list")).content.decode()
    assert 'id="global-q"' in home
    empty = client.get(reverse("search")).content.decode()
    assert "results for" not in empty and 'id="search-q"' in empty


def test_strangers_are_sent_to_sign_in(client):
    response = client.get(reverse("search"), {"q": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
