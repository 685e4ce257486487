"""Business reviews are one thing: every page gives the same last review and the same verdict.

The communications record's business-review interactions are the dates; the client's plan's
review cadence (when it sets one) is the rule, on the client page's communications section, its
relationship panel and the "due this month" list alike.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.communications.factories import InteractionFactory, PlanFactory
from tests.relationships.factories import BusinessReviewFactory
from trustledger.communications.measures import adherence
from trustledger.relationships.due import due_items
from trustledger.relationships.reviews import ReviewCadence

NOW = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def reviewed(personas):
    """GIVEN Acme's last review on the relationships page in December 2025, and a review in
    September 2026 logged as a meeting in the communications record, on a quarterly plan."""
    client = personas.client_a
    client.tier = "key"
    client.save()
    PlanFactory(client=client, review_days=91, starts_on=dt.date(2025, 1, 1))
    BusinessReviewFactory(client=client, held_on=dt.date(2025, 12, 18))
    InteractionFactory(
        client=client,
        kind="business_review",
        occurred_at=dt.datetime(2026, 9, 9, 14, tzinfo=dt.UTC),
        subject="QBR",
    )
    return client


def _page_text(client, personas) -> str:
    client.force_login(personas.alice)
    html = client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_the_client_page_names_one_last_review_in_every_panel(client, personas, reviewed):
    text = _page_text(client, personas)
    assert "Business reviews every 91 days" in text
    assert "last 9 Sep 2026 on track" in text  # keeping in touch (communications)
    assert "Business review 9 Sep 2026 Next by" in text  # relationship routines
    assert "last 18 Dec 2025" not in text and "Business review 18 Dec 2025 Next" not in text


@pytest.mark.django_db
def test_the_plans_cadence_decides_when_the_next_review_is_due_everywhere(
    client, personas, reviewed
):
    # 9 Sep + 91 days and 9 days' grace = 18 Dec: not overdue on 3 Dec, by the plan (the key
    # tier says 3 months)
    text = _page_text(client, personas)
    assert "Overdue since" not in text
    assert "Next by 18 Dec 2026" in text
    items = due_items(personas.workspace_a, None, until=dt.date(2026, 12, 31))
    (review,) = [i for i in items if i.kind == "business_review" and i.client_id == reviewed.pk]
    assert review.due_on == dt.date(2026, 12, 18)
    assert review.detail.startswith("Last done 9 Sep 2026")


@pytest.mark.django_db
def test_a_planned_review_is_not_a_held_one(client, personas, reviewed):
    BusinessReviewFactory(client=reviewed, held_on=dt.date(2026, 12, 20), status="planned")
    text = _page_text(client, personas)
    assert "Planned for 20 Dec 2026" in text
    assert "9 Sep 2026" in text


@pytest.mark.django_db
def test_the_story_tells_each_review_once(client, personas, reviewed):
    text = _page_text(client, personas)
    story = text[text.index("Whole story") : text.index("Open inquiries")]
    assert story.count("18 Dec 2025") == 1  # the review with its goals, not its meeting again
    assert story.count("9 Sep 2026") == 1  # the meeting logged without a review record


def test_a_review_on_the_plans_cadence_is_due_when_the_communications_page_says_so():
    """One rule for when a review is due: the plan's interval and its grace (a tenth of it), as
    the communications page's cadence counts. (The demo showed Hollis Hotels' last review of
    22 May "on track" there and "overdue since 20 Nov" on the relationships panel.)"""
    last, every = dt.date(2026, 5, 22), 182
    review = ReviewCadence(last, every, 6)
    for today in (dt.date(2026, 12, 3), dt.date(2026, 12, 8), dt.date(2026, 12, 9)):
        measured = adherence("business_review", every, start=last, as_of=today, held=[last])
        assert (review.next_due(today) < today) == (measured.overdue_days > 0), today
    assert review.next_due(dt.date(2026, 12, 3)) == dt.date(2026, 12, 8)  # 182 + 18 days
