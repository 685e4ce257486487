"""Earned value management: is an engagement on budget and on schedule, and where will it land?

Inputs are money amounts to date: BAC (budget at completion), PV (planned value: the budgeted
cost of the work scheduled so far), EV (earned value: the budgeted cost of the work done so far)
and AC (actual cost so far). Every ratio whose denominator is zero is None, not an error and not
infinity: e.g. no cost booked yet (AC = 0) means no cost performance yet.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from trustledger.scoring.display import round_half_up, shown_percent

# The forecast-overrun rule, in one place: an estimate at completion 10% or more over the budget
# is an overrun. The alert fires, the engagement page shows it in red and the status report names
# it among the risks, all through `budget_verdict`.
OVERRUN_THRESHOLD = 0.10
# CPI and SPI: at 1.00 the work is on plan; below, behind; below 0.90, well behind.
ON_PLAN_FROM = 1.0
WELL_BEHIND_BELOW = 0.9

type BudgetVerdict = Literal["no_forecast", "within_budget", "over_budget", "overrun"]
type Performance = Literal["unknown", "on_plan", "behind", "well_behind"]


@dataclass(frozen=True, slots=True)
class EvmInputs:
    """Amounts to date, all non-negative, in one currency."""

    bac: float
    planned_value: float
    earned_value: float
    actual_cost: float

    def __post_init__(self) -> None:
        if min(self.bac, self.planned_value, self.earned_value, self.actual_cost) < 0:
            raise ValueError("EVM amounts must not be negative")


@dataclass(frozen=True, slots=True)
class EvmResult:
    """The classic EVM figures; each ratio is None when its denominator is zero.

    cost_variance      CV   = EV - AC                        (negative: over cost)
    schedule_variance  SV   = EV - PV                        (negative: behind schedule)
    cpi                CPI  = EV / AC                        (< 1: each unit spent earns less)
    spi                SPI  = EV / PV                        (< 1: behind schedule)
    eac                EAC  = BAC / CPI                      (current cost performance continues)
    eac_atypical       EAC  = AC + (BAC - EV)                (the overrun so far was a one-off)
    eac_cpi_spi        EAC  = AC + (BAC - EV) / (CPI * SPI)  (cost and schedule both weigh)
    etc                ETC  = EAC - AC                       (still to spend, from `eac`)
    vac                VAC  = BAC - EAC                      (negative: forecast overrun)
    tcpi               TCPI = (BAC - EV) / (BAC - AC)        (CPI needed to finish on budget;
                                                             negative once AC exceeds BAC)
    forecast_overrun          EAC / BAC - 1                  (0.1 = 10% over budget)
    """

    cost_variance: float
    schedule_variance: float
    cpi: float | None
    spi: float | None
    eac: float | None
    eac_atypical: float
    eac_cpi_spi: float | None
    etc: float | None
    vac: float | None
    tcpi: float | None
    forecast_overrun: float | None


def _ratio(numerator: float, denominator: float | None) -> float | None:
    if denominator is None or denominator == 0:
        return None
    return numerator / denominator


def compute_evm(inputs: EvmInputs) -> EvmResult:
    """Compute every EVM figure of `EvmResult` from the amounts to date."""
    bac, pv, ev, ac = inputs.bac, inputs.planned_value, inputs.earned_value, inputs.actual_cost
    cpi, spi = _ratio(ev, ac), _ratio(ev, pv)
    eac = _ratio(bac, cpi)
    performance = None if cpi is None or spi is None else cpi * spi
    remaining = _ratio(bac - ev, performance)
    return EvmResult(
        cost_variance=ev - ac,
        schedule_variance=ev - pv,
        cpi=cpi,
        spi=spi,
        eac=eac,
        eac_atypical=ac + (bac - ev),
        eac_cpi_spi=None if remaining is None else ac + remaining,
        etc=None if eac is None else eac - ac,
        vac=None if eac is None else bac - eac,
        tcpi=_ratio(bac - ev, bac - ac),
        forecast_overrun=None if eac is None or bac == 0 else eac / bac - 1,
    )


def burn_rate(cost: float, start: date, end: date) -> float | None:
    """Cost per day over [start, end): cost / (end - start).days; None for an empty period."""
    days = (end - start).days
    if days <= 0:
        return None
    return cost / days


def linear_planned_value(bac: float, start: date, finish: date, as_of: date) -> float:
    """PV of a plan that spends BAC evenly from `start` to `finish`.

    PV = BAC * elapsed / duration, with elapsed = (as_of - start).days clamped to [0, duration]:
    0 before the start, BAC from the finish on.
    """
    if finish < start:
        raise ValueError("a plan cannot finish before it starts")
    duration = (finish - start).days
    if duration == 0:
        return bac if as_of >= finish else 0.0
    elapsed = min(max((as_of - start).days, 0), duration)
    return bac * elapsed / duration


@dataclass(frozen=True, slots=True)
class PlannedMilestone:
    """A milestone of a milestone-based plan: the value it earns, planned for `due`."""

    due: date
    value: float


def milestone_planned_value(milestones: Sequence[PlannedMilestone], as_of: date) -> float:
    """PV of a milestone-based plan: the sum of the values of milestones due on or before as_of."""
    return sum((m.value for m in milestones if m.due <= as_of), 0.0)


def overrun_from_cpi(cpi: float) -> float | None:
    """The forecast overrun when the estimate at completion is BAC / CPI: 1 / CPI - 1.

    None when CPI is 0 (nothing earned yet): there is no forecast, as in `compute_evm`.
    """
    if cpi < 0:
        raise ValueError(f"CPI must not be negative, got {cpi}")
    return None if cpi == 0 else 1 / cpi - 1


def budget_verdict(
    forecast_overrun: float | None, *, threshold: float = OVERRUN_THRESHOLD
) -> BudgetVerdict:
    """Where the forecast lands against the budget, judged on the overrun as shown.

    The overrun is shown as a whole percent (half up), and judged on that figure, so that the
    words always match the number beside them: "0%" is within budget, "1%" to "9%" over budget,
    and "10%" or more (``>=`` the threshold; from an exact 9.5%) an overrun, which raises the
    alert and is named among a report's risks.
    """
    if forecast_overrun is None:
        return "no_forecast"
    shown = shown_percent(forecast_overrun)
    if shown >= shown_percent(threshold):
        return "overrun"
    return "over_budget" if shown > 0 else "within_budget"


def performance(ratio: float | None) -> Performance:
    """A CPI or SPI as shown (two decimals, half up): 1.00 and above on plan, below behind,
    below 0.90 well behind; unknown without a ratio."""
    if ratio is None:
        return "unknown"
    shown = round_half_up(ratio, 2)
    if shown >= ON_PLAN_FROM:
        return "on_plan"
    return "behind" if shown >= WELL_BEHIND_BELOW else "well_behind"


def schedule_verdict(spi: float | None, *, milestones_late: int) -> Performance:
    """The schedule as a whole: the SPI's verdict, but never on plan while an open milestone is
    past (or forecast past) its committed date. The status report's figure and its sentence, and
    the engagement page, all read this one verdict."""
    verdict = performance(spi)
    if milestones_late > 0 and verdict in ("unknown", "on_plan"):
        return "behind"
    return verdict
