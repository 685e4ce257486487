import re

import pytest

from tests.factories import PASSWORD
from tests.smtp import delivered


@pytest.mark.django_db
def test_a_member_signs_in_with_email_and_password_and_lands_on_the_portfolio(client, personas):
    response = client.post("/login/", {"username": personas.alice.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.request["PATH_INFO"] == "/trust/"
    assert "Alpha Advisors" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(client, personas):
    response = client.post("/login/", {"username": personas.alice.email, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


@pytest.mark.django_db
def test_signing_out_needs_a_post_and_ends_the_session(client, personas):
    client.force_login(personas.alice)
    client.post("/logout/")
    assert client.get("/clients/").status_code == 302


@pytest.mark.django_db
def test_password_reset_mails_a_single_use_link_that_sets_a_new_password(
    client, personas, settings
):
    settings.BASE_URL = "https://trust.firm.example"
    client.post("/password-reset/", {"email": personas.alice.email}, HTTP_HOST="testserver")
    assert len(delivered()) == 1
    body = delivered()[0].body
    link = re.search(r"https://trust\.firm\.example(/password-reset/\S+/)", body)[1]
    form_page = client.get(link, follow=True)
    new = "a brand new passphrase"
    client.post(form_page.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    assert client.login(email=personas.alice.email, password=new)
    client.logout()
    reused = client.get(link, follow=True)
    assert "no longer works" in reused.content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, db):
    response = client.post("/password-reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert delivered() == []
