"""The thirteen indicators of one client as of a date, each 0-100 with the events behind it.

Every indicator is a decay-weighted mean of per-event scores s_k in [0, 100]:

    score = sum(w_k * s_k) / sum(w_k),   w_k = base_k * 0.5 ** (age_k / half_life_days)

base_k is the event's own weight (1 unless an indicator says otherwise) and age_k its age in days
on `as_of`. Point in time: only events dated within [as_of - window_days, as_of] count, and any
date after `as_of` (a delivery, a response, an approval) is treated as not known yet, so adding
later facts never changes an earlier score. No event in the window gives score None (no data).

Each event's Evidence.impact is w_k / sum(w) * (s_k - 50): the points it pulls the score above
or below the neutral 50, so that score == 50 + sum(impacts) and good events show as positive.
A breached SLA, a detractor answer, a milestone late beyond its buffer or any failed pass/fail
event scores 0, the floor, so adding one never raises its indicator.
"""

from trustledger.scoring.indicators._events import NEUTRAL, DueItem
from trustledger.scoring.indicators.concern import (
    CadencePeriod,
    Inquiry,
    cadence,
    closing_loop,
    responsiveness,
)
from trustledger.scoring.indicators.integrity import (
    FULL_NOTICE_DAYS,
    ChangeRequest,
    ScopeWork,
    Slip,
    Told,
    commitments,
    first_told,
    no_surprises,
    scope_control,
)
from trustledger.scoring.indicators.results import (
    SEVERITY_WEIGHTS,
    ActiveBudget,
    ClientIssue,
    ClosedBudget,
    Milestone,
    Outcome,
    Review,
    budget,
    on_time,
    outcomes,
    quality,
)
from trustledger.scoring.indicators.voice import (
    LOYALTY_KINDS,
    LoyaltyKind,
    LoyaltySignal,
    NpsAnswer,
    Remark,
    loyalty,
    recommendation,
    sentiment,
)

__all__ = [
    "FULL_NOTICE_DAYS",
    "LOYALTY_KINDS",
    "NEUTRAL",
    "SEVERITY_WEIGHTS",
    "ActiveBudget",
    "CadencePeriod",
    "ChangeRequest",
    "ClientIssue",
    "ClosedBudget",
    "DueItem",
    "Inquiry",
    "LoyaltyKind",
    "LoyaltySignal",
    "Milestone",
    "NpsAnswer",
    "Outcome",
    "Remark",
    "Review",
    "ScopeWork",
    "Slip",
    "Told",
    "budget",
    "cadence",
    "closing_loop",
    "commitments",
    "first_told",
    "loyalty",
    "no_surprises",
    "on_time",
    "outcomes",
    "quality",
    "recommendation",
    "responsiveness",
    "scope_control",
    "sentiment",
]
