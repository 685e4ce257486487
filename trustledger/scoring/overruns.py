"""When an engagement went over budget, for the no-surprises indicator.

An overrun happened on the first day that either
- the cumulative cost passed the budget as it stood that day, or
- the forecast (EAC = BAC / CPI, earned value = budget x share of milestones delivered) passed the
  budget by the forecast-overrun threshold (the rule of `evm.budget_verdict`), measured on
  the days a milestone was delivered: earned value moves only then, so between deliveries every
  day of work would look like a falling CPI,
whichever came first. Timing it from the close date instead let an engagement billed twice its
budget by September, with the client told in November, look as if it had been announced.

Amounts are in the engagement's one currency; the budget rises on the day each approved change
request counts from.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from trustledger.scoring.evm import EvmInputs, budget_verdict, compute_evm

# Costs are summed as floats: half a cent over the budget is rounding, not an overrun.
ROUNDING = 0.005


@dataclass(frozen=True, slots=True)
class Spending:
    """An engagement's money day by day, as known on a date.

    `budget` is the budget before any approved change request counted; `raises` are those
    requests' amounts with the day each counts from; `costs` the cost booked per day;
    `deliveries` the days milestones were delivered, of `milestones` planned (not cancelled).
    """

    budget: float
    raises: Sequence[tuple[date, float]] = ()
    costs: Sequence[tuple[date, float]] = ()
    deliveries: Sequence[date] = ()
    milestones: int = 0


@dataclass(frozen=True, slots=True)
class Overrun:
    """The day an engagement went over budget; `forecast` when its forecast passed first."""

    day: date
    forecast: bool


def _forecast_over(budget: float, spent: float, done: int, planned: int, day: date) -> bool:
    if budget <= 0 or spent <= 0 or done <= 0 or planned <= 0:
        return False  # nothing earned yet, so no cost performance to forecast from
    earned = budget * min(done, planned) / planned
    result = compute_evm(EvmInputs(budget, earned, earned, spent))
    return budget_verdict(result.forecast_overrun) == "overrun"


def first_overrun(spending: Spending, *, until: date) -> Overrun | None:
    """The first day up to `until` that the cost passed the budget or the forecast passed it by
    the threshold; None if neither has happened."""
    moves: defaultdict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for day, amount in spending.raises:
        moves[day][0] += amount
    for day, amount in spending.costs:
        moves[day][1] += amount
    for day in spending.deliveries:
        moves[day][2] += 1
    budget, spent, done = spending.budget, 0.0, 0
    for day in sorted(d for d in moves if d <= until):
        raised, cost, delivered = moves[day]
        budget, spent, done = budget + raised, spent + cost, done + int(delivered)
        if spent > budget + ROUNDING:
            return Overrun(day, forecast=False)
        if delivered and _forecast_over(budget, spent, done, spending.milestones, day):
            return Overrun(day, forecast=True)
    return None
