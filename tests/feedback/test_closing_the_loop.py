"""Answers are analysed on the way in; detractors and complaints become follow-ups with an owner
and a due date; overdue ones are visible."""

import datetime as dt

import pytest

from tests.feedback.factories import FollowUpFactory
from trustledger.feedback import responses, selectors, services
from trustledger.feedback.models import FollowUp
from trustledger.feedback.responses import NewResponse, add_business_days
from trustledger.workspaces.services import DomainError

FRIDAY = dt.datetime(2026, 3, 13, 15, 0, tzinfo=dt.UTC)


def answer(personas, score, comment="", **extra):
    return responses.record_response(
        NewResponse(
            client=personas.client_a,
            score=score,
            comment=comment,
            answered_at=FRIDAY,
            contact=personas.contact_a,
            **extra,
        ),
        by=None,
        now=FRIDAY,
    )


def test_business_days_skip_the_weekend():
    assert add_business_days(dt.date(2026, 3, 13), 2) == dt.date(2026, 3, 17)  # Fri -> Tue
    assert add_business_days(dt.date(2026, 3, 14), 1) == dt.date(2026, 3, 16)  # Sat -> Mon
    assert add_business_days(dt.date(2026, 3, 16), 5) == dt.date(2026, 3, 23)


@pytest.mark.django_db
def test_every_answer_is_analysed_when_it_is_saved(personas):
    praise = answer(personas, 10, "Brilliant team, thank you for everything!")
    silent = answer(personas, 8)
    assert (praise.sentiment_label, praise.theme) == ("positive", "praise")
    assert 0 < praise.sentiment_score <= 1 and 0 < praise.theme_confidence <= 1
    assert (silent.sentiment_label, silent.theme, silent.sentiment_score) == ("", "", None)


@pytest.mark.django_db
def test_a_detractor_opens_a_follow_up_for_the_account_manager_due_in_two_business_days(
    personas,
):
    response = answer(personas, 4, "Fine.")
    follow_up = FollowUp.objects.get(response=response)
    assert follow_up.reason == "detractor"
    assert follow_up.owner == personas.amir  # the client's account manager
    assert follow_up.due_on == dt.date(2026, 3, 17)
    assert follow_up.summary.startswith("Ada Contact answered 4")
    assert follow_up.done_on is None


@pytest.mark.django_db
def test_a_complaint_from_a_passive_or_promoter_opens_one_too(personas):
    response = answer(personas, 8, "The invoice was far higher than the estimate, again.")
    assert response.sentiment_label == "negative"
    assert FollowUp.objects.get(response=response).reason == "complaint"


@pytest.mark.django_db
def test_a_happy_or_silent_answer_opens_none(personas):
    answer(personas, 9, "Great work, on time and on budget.")
    answer(personas, 7)
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_the_due_date_follows_the_workspace_setting(personas):
    services.update_survey_settings(
        personas.workspace_a, by=personas.alice, follow_up_business_days=5
    )
    response = answer(personas, 2)
    assert response.follow_up.due_on == dt.date(2026, 3, 20)


@pytest.mark.django_db
def test_a_client_without_account_manager_gets_an_unowned_follow_up(personas):
    response = responses.record_response(
        NewResponse(client=personas.other_client_a, score=0, answered_at=FRIDAY), by=None
    )
    assert response.follow_up.owner is None


@pytest.mark.django_db
def test_old_imported_answers_count_but_open_no_follow_up(personas):
    def imported(days_ago, key):
        return NewResponse(
            client=personas.client_a,
            score=1,
            answered_at=FRIDAY - dt.timedelta(days=days_ago),
            source="typeform",
            import_key=key,
        )

    saved, follow_ups = responses.record_responses(
        personas.workspace_a, [imported(10, "recent"), imported(200, "stale")], by=None, now=FRIDAY
    )
    assert len(saved) == 2
    assert [f.response.import_key for f in follow_ups] == ["recent"]


@pytest.mark.django_db
def test_answers_are_checked(personas):
    with pytest.raises(DomainError) as error:
        answer(personas, 11)
    assert error.value.field == "score"
    with pytest.raises(DomainError) as error:
        responses.record_response(
            NewResponse(
                client=personas.other_client_a,
                score=5,
                answered_at=FRIDAY,
                contact=personas.contact_a,
            ),
            by=None,
        )
    assert error.value.field == "contact_id"


@pytest.mark.django_db
def test_overdue_follow_ups_come_first_and_are_detected(personas):
    ws = personas.workspace_a
    today = dt.date(2026, 3, 20)
    later = FollowUpFactory(client=personas.client_a, due_on=dt.date(2026, 3, 25))
    overdue_old = FollowUpFactory(client=personas.client_a, due_on=dt.date(2026, 3, 10))
    overdue = FollowUpFactory(client=personas.client_a, due_on=dt.date(2026, 3, 18))
    done = FollowUpFactory(
        client=personas.client_a,
        due_on=dt.date(2026, 3, 1),
        done_on=dt.date(2026, 3, 2),
        closed_at=FRIDAY,
    )
    assert list(selectors.list_follow_ups(ws, today=today)) == [overdue_old, overdue, later]
    assert list(selectors.overdue_follow_ups(ws, today=today)) == [overdue_old, overdue]
    everything = selectors.list_follow_ups(ws, selectors.FollowUpFilter(status="all"), today=today)
    assert list(everything)[-1] == done
    assert overdue.is_overdue(today) and not later.is_overdue(today)
    assert not done.is_overdue(today)


@pytest.mark.django_db
def test_closing_a_follow_up_records_its_outcome_once(personas):
    response = answer(personas, 3, "Nobody answers our e-mails.")
    follow_up = response.follow_up
    with pytest.raises(DomainError) as error:
        responses.close_follow_up(follow_up, outcome="  ", by=personas.amir)
    assert error.value.field == "outcome"
    with pytest.raises(DomainError):
        responses.close_follow_up(
            follow_up, outcome="Called", done_on=dt.date(2099, 1, 1), by=personas.amir
        )
    closed = responses.close_follow_up(
        follow_up,
        outcome="Called Ada; agreed a weekly status call.",
        by=personas.amir,
        now=FRIDAY + dt.timedelta(days=5),
    )
    assert closed.done_on == dt.date(2026, 3, 18) and closed.done_on > closed.due_on
    with pytest.raises(DomainError, match="already closed"):
        responses.close_follow_up(closed, outcome="Again", by=personas.amir)


@pytest.mark.django_db
def test_a_follow_up_can_be_opened_by_hand_and_reassigned(personas):
    follow_up = responses.create_follow_up(
        personas.client_a, summary="Sponsor sounded unhappy on the call", by=personas.sam
    )
    assert follow_up.reason == "manual" and follow_up.owner == personas.amir
    responses.update_follow_up(follow_up, by=personas.alice, owner=personas.alice)
    assert FollowUp.objects.get(pk=follow_up.pk).owner == personas.alice
    with pytest.raises(DomainError) as error:
        responses.update_follow_up(follow_up, by=personas.alice, owner=personas.charlie)
    assert error.value.field == "owner"


def test_the_pages_theme_list_is_the_classifiers():
    from trustledger.feedback.analysis import THEMES as CLASSIFIER_THEMES
    from trustledger.feedback.models import THEMES

    assert THEMES == CLASSIFIER_THEMES
