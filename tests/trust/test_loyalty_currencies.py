"""Loyalty compares a follow-on engagement's size with the previous one only in one currency.

Issue 14 (money): amounts in unlike currencies are never compared or added. A 50,000 EUR
engagement after a 9,000,000 JPY one is not "much smaller"; the index does not convert, so it
does not judge the size across currencies at all.
"""

import datetime as dt
from decimal import Decimal

import pytest

from tests.engagements.factories import EngagementFactory
from trustledger.scoring.index import IndexSettings
from trustledger.trust import signals

AS_OF = dt.date(2026, 4, 30)


def follow_on(personas, first: tuple[str, int], then: tuple[str, int]) -> list[str]:
    starts = (dt.date(2025, 6, 2), dt.date(2026, 2, 2))
    for (currency, budget), start in zip((first, then), starts, strict=True):
        EngagementFactory(
            client=personas.client_a,
            currency=currency,
            budget_amount=Decimal(budget),
            start_date=start,
            end_date=start + dt.timedelta(days=60),
            status="closed",
        )
    facts = signals.collect(personas.workspace_a, AS_OF, IndexSettings())[personas.client_a.pk]
    return [signal.kind for signal in facts.loyalty]


@pytest.mark.django_db
def test_a_follow_on_in_another_currency_is_not_called_smaller_by_its_number(personas):
    assert follow_on(personas, ("JPY", 9_000_000), ("EUR", 50_000)) == ["repeat_engagement"]


@pytest.mark.django_db
def test_a_much_smaller_follow_on_in_the_same_currency_still_counts_against(personas):
    assert follow_on(personas, ("EUR", 120_000), ("EUR", 50_000)) == ["shrinking_spend"]
