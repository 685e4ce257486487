"""Results and Integrity facts from engagements: milestones, budgets, reviews, defects, outcomes,
scope, slips, and the loyalty shown by repeat business and referrals.

About ten queries per call, each over the whole workspace (or the chosen clients); one of them
reads the versions of facts edited or deleted after the day (``core.history``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustledger.clients.models import Referral
from trustledger.core.inputs import trust_input
from trustledger.engagements.models import (
    ChangeRequest,
    DeliverableReview,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    SuccessCriterion,
    TimeEntry,
)
from trustledger.engagements.trust_inputs import budgets, delivery, loyalty, quality
from trustledger.engagements.trust_inputs import scope as scope_control
from trustledger.engagements.trust_inputs._sql import _engagements, versions_in_force

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


@trust_input(
    Engagement,
    Milestone,
    Notice,
    ChangeRequest,
    DeliverableReview,
    QualityIssue,
    SuccessCriterion,
    TimeEntry,
    Referral,
)
def collect(scope: Scope, facts: FactsByClient) -> None:
    versions = versions_in_force(scope)  # of facts edited or deleted after as_of
    delivery.collect_milestones_and_slips(scope, facts, versions)
    engagements = _engagements(scope)
    budgets.collect(scope, facts, engagements, versions)
    quality.collect_outcomes(scope, facts)
    quality.collect_quality(scope, facts)
    scope_control.collect(scope, facts, versions)
    loyalty.collect(scope, facts, engagements)
