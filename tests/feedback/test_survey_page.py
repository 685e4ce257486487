"""The public survey page: no login, one answer per link, clear pages for dead links, CSRF-safe."""

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tests.feedback.factories import SurveyInvitationFactory
from trustledger.feedback import services
from trustledger.feedback.models import SurveyInvitation, SurveyResponse


@pytest.fixture
def link(personas):
    """A freshly sent invitation and its token, as the contact's e-mail carries it."""
    invitation = SurveyInvitationFactory(contact=personas.contact_a)
    sent = services.send_invitation(invitation.pk)
    assert sent is not None
    return sent.invitation, sent.token


@pytest.mark.django_db
def test_the_page_asks_the_question_accessibly_and_marks_the_link_opened(client, link):
    invitation, token = link
    response = client.get(f"/s/{token}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<fieldset" in body and "<legend>How likely is it" in body
    for n in range(11):
        assert f'<input type="radio" name="score" id="score-{n}" value="{n}"' in body
        assert f'<label for="score-{n}">{n}' in body
    assert '<label for="id_comment">What is the main reason for your score?' in body
    assert "csrfmiddlewaretoken" in body
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"  # never leaks the link elsewhere
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


@pytest.mark.django_db
def test_answering_records_one_analysed_response_and_a_second_submit_changes_nothing(client, link):
    invitation, token = link
    first = client.post(
        f"/s/{token}/", {"score": "3", "comment": "The milestone was three weeks late again."}
    )
    assert first.status_code == 302 and first["Location"] == f"/s/{token}/"
    thanks = client.get(first["Location"])
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()

    answer = SurveyResponse.objects.get(invitation=invitation)
    assert (answer.score, answer.source, answer.client_id) == (3, "survey", invitation.client_id)
    assert answer.sentiment_label == "negative" and answer.theme == "deadlines"
    assert answer.follow_up.reason == "detractor"
    invitation.refresh_from_db()
    assert invitation.answered_at is not None

    again = client.post(f"/s/{token}/", {"score": "10", "comment": "Changed my mind"})
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    assert SurveyResponse.objects.filter(invitation=invitation).count() == 1
    assert SurveyResponse.objects.get(invitation=invitation).score == 3


@pytest.mark.django_db
def test_the_reminders_link_answers_the_same_invitation(client, link):
    invitation, token = link
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=6)
    )
    reminder = services.send_reminder(invitation.pk)
    assert reminder is not None
    client.post(f"/s/{reminder.token}/", {"score": "9"})
    assert "Thank you" in client.get(f"/s/{token}/").content.decode()
    assert SurveyResponse.objects.get(invitation=invitation).score == 9


@pytest.mark.django_db
def test_an_answer_needs_a_score_and_keeps_what_was_typed(client, link):
    _, token = link
    response = client.post(f"/s/{token}/", {"comment": "Half a thought", "score": "11"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in body and "Half a thought" in body
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_an_expired_link_gets_a_clear_410_page_and_takes_no_answer(client, link):
    invitation, token = link
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    page = client.get(f"/s/{token}/")
    assert page.status_code == 410
    assert "This survey link has expired" in page.content.decode()
    assert client.post(f"/s/{token}/", {"score": "8"}).status_code == 410
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_an_unknown_or_mangled_link_gets_a_clear_404_page(client, link):
    _, token = link
    for bad in ("x" * 43, token[:-3], "a" * 200):
        page = client.get(f"/s/{bad}/")
        assert page.status_code == 404
        assert "We cannot find this survey" in page.content.decode()


@pytest.mark.django_db
def test_the_form_is_csrf_protected(link):
    _, token = link
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.post(f"/s/{token}/", {"score": "7"}).status_code == 403
    page = browser.get(f"/s/{token}/")
    csrf = page.cookies["csrftoken"].value
    accepted = browser.post(f"/s/{token}/", {"score": "7", "csrfmiddlewaretoken": csrf})
    assert accepted.status_code == 302
    assert SurveyResponse.objects.get().score == 7


@pytest.mark.django_db
def test_extra_questions_are_asked_and_their_answers_kept(client, personas):
    invitation = SurveyInvitationFactory(
        contact=personas.contact_a,
        campaign__extra_questions=["What should we start doing?"],
    )
    token = services.send_invitation(invitation.pk).token
    assert "What should we start doing?" in client.get(f"/s/{token}/").content.decode()
    client.post(f"/s/{token}/", {"score": "8", "extra_0": "Monthly steering meetings"})
    answer = SurveyResponse.objects.get()
    assert answer.extra_answers == {"What should we start doing?": "Monthly steering meetings"}


@pytest.mark.django_db
def test_a_contact_can_stop_all_surveys_from_the_link(client, link, personas):
    _, token = link
    assert "Stop sending me surveys?" in client.get(f"/s/{token}/opt-out/").content.decode()
    done = client.post(f"/s/{token}/opt-out/")
    assert done.status_code == 200 and "no more surveys" in done.content.decode()
    personas.contact_a.refresh_from_db()
    assert personas.contact_a.survey_opt_out


@pytest.mark.django_db
def test_a_signed_in_member_sees_the_same_public_page(client, link, personas):
    _, token = link
    client.force_login(personas.charlie)  # even a stranger to the workspace: the token decides
    assert client.get(f"/s/{token}/").status_code == 200
