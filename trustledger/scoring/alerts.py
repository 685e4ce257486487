"""Alert rules: each returns an AlertCandidate when its rule fires, else None.

The trust app adds the client and the owner, deduplicates, and stores the alert; these rules only
decide whether a fact is alarming and say why and what to do next.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from trustledger.scoring.display import display_index, format_percent, shown_change
from trustledger.scoring.evm import OVERRUN_THRESHOLD, budget_verdict
from trustledger.scoring.indicators import Inquiry, Milestone, NpsAnswer, ScopeWork
from trustledger.scoring.nps import category

_BAND_RANK = {"at_risk": 0, "watch": 1, "healthy": 2}


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """Why an alert fires (`cause` is a stable code), with the date of the evidence behind it."""

    cause: str
    detail: str
    suggested_step: str
    evidence_date: date


def band_drop(previous: str, current: str, *, on: date) -> AlertCandidate | None:
    """Fires when the band gets worse (healthy > watch > at_risk); 'not_enough_data' never does."""
    if previous not in _BAND_RANK or current not in _BAND_RANK:
        return None
    if _BAND_RANK[current] >= _BAND_RANK[previous]:
        return None
    return AlertCandidate(
        "band_drop",
        f"Trust fell from {previous} to {current}.",
        "Review the indicators that fell and talk to the client this week.",
        on,
    )


def index_fall(
    series: Iterable[tuple[date, float]], *, points: float = 10, days: int = 30
) -> AlertCandidate | None:
    """Fires when the latest index is `points` or more below its highest value in the `days`
    before it (the series of (date, index) may be in any order), both as shown (whole numbers):
    the fall the alert names is the one a reader can check on the page."""
    ordered = sorted(series)
    if not ordered:
        return None
    last_day, last = ordered[-1]
    peak_day, peak = max(
        ((d, v) for d, v in ordered if d >= last_day - timedelta(days=days)), key=lambda p: p[1]
    )
    fall = -(shown_change(last, peak) or 0)
    if fall < points:
        return None
    return AlertCandidate(
        "index_fall",
        f"Trust index fell {fall} points, from {display_index(peak)} on {peak_day} to "
        f"{display_index(last)}.",
        "Find the events behind the fall in the indicator breakdown and address the largest.",
        last_day,
    )


def detractor_answer(answer: NpsAnswer) -> AlertCandidate | None:
    """Fires on an NPS answer of 0-6."""
    if category(answer.score) != "detractor":
        return None
    return AlertCandidate(
        "detractor_answer",
        f"{answer.contact} answered {answer.score} to the NPS survey.",
        "Call the contact within a week, listen, and log a follow-up with an owner.",
        answer.answered_on,
    )


def unapproved_work(work: ScopeWork) -> AlertCandidate | None:
    """Fires on hours logged on scope the client had not approved; never on unclassified hours
    (``approved`` None: an imported task nobody has classified is not known to be creep)."""
    if work.approved is not False or work.hours == 0:
        return None
    return AlertCandidate(
        "unapproved_scope",
        f"{work.hours:g} h logged on unapproved scope: {work.description}.",
        "Stop the work or raise a change request and get the client's approval first.",
        work.day,
    )


def milestone_missed_without_notice(milestone: Milestone, *, as_of: date) -> AlertCandidate | None:
    """Fires when a milestone missed its committed date and the client was not told by then."""
    m = milestone
    delivered = m.delivered if m.delivered is not None and m.delivered <= as_of else None
    missed = m.committed < (as_of if delivered is None else delivered)
    told = m.notice_sent is not None and m.notice_sent <= min(m.committed, as_of)
    if not missed or told:
        return None
    return AlertCandidate(
        "milestone_missed_without_notice",
        f"Milestone {m.name} missed its committed date {m.committed} with no notice given.",
        "Tell the client now: the new date, why it slipped, and what changes to hold it.",
        m.committed,
    )


def inquiry_past_sla(inquiries: Iterable[Inquiry], *, now: datetime) -> AlertCandidate | None:
    """Fires while an inquiry is unanswered past its SLA deadline at the instant `now`: exactly
    the Inbox's overdue ones. An inquiry answered, even late, no longer fires (responsiveness
    scores the breach), so the alert clears once every overdue inquiry is answered."""
    overdue = sorted((q for q in inquiries if q.past_sla(now)), key=lambda q: q.sla_due)
    if not overdue:
        return None
    first = overdue[0]
    more = f" and {len(overdue) - 1} more" if len(overdue) > 1 else ""
    return AlertCandidate(
        "inquiry_past_sla",
        f"Inquiry {first.subject!r} is unanswered past its SLA "
        f"(due {first.sla_due:%Y-%m-%d %H:%M}){more}.",
        "Answer the client now and check why the SLA was missed.",
        first.sla_due.date(),
    )


def cadence_overdue(
    kind: str, *, last_held: date, interval_days: int, as_of: date
) -> AlertCandidate | None:
    """Fires when a planned touch (check-in, review...) has not happened for twice its interval.

    `last_held` is the last time it happened, or the plan's start if it never did.
    """
    if interval_days <= 0:
        raise ValueError("interval_days must be positive")
    silent = (as_of - last_held).days
    if silent < 2 * interval_days:
        return None
    return AlertCandidate(
        "cadence_overdue",
        f"No {kind} for {silent} days (planned every {interval_days} days).",
        f"Schedule the {kind} with the client this week.",
        last_held + timedelta(days=2 * interval_days),
    )


def forecast_overrun(
    engagement: str, overrun: float | None, *, on: date, threshold: float = OVERRUN_THRESHOLD
) -> AlertCandidate | None:
    """Fires when the forecast (EAC = BAC / CPI) exceeds the budget by `threshold` (10%) or more,
    given the forecast overrun (`EvmResult.forecast_overrun`, or `evm.overrun_from_cpi`): the
    verdict of `evm.budget_verdict`, which the engagement page and the status report read too."""
    if budget_verdict(overrun, threshold=threshold) != "overrun":
        return None
    return AlertCandidate(
        "forecast_overrun",
        f"{engagement} is forecast to end {format_percent(overrun)} over budget.",
        "Tell the client before the overrun happens, with options: less scope or a change request.",
        on,
    )
