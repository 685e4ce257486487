"""Freshness: every change to a fact the index reads recomputes exactly its clients, once.

The table lists every model the index reads (``models_read()`` and the clients themselves) and,
for each, changes it through its services and through its importers: after commit, exactly one
``recompute_clients_task`` must be enqueued, for the workspace and exactly the clients the change
affected. An import announces once for all the clients it touched, not once per row.

Completeness is checked too: a model the index reads without a service case, an import kind
without a case, or a new model of a facts app that is neither read nor listed in ``NOT_READ``
fails a test, so a new fact cannot silently go stale.

Preconditions are made with factories before counting, outside the captured block; each change
runs inside ``django_capture_on_commit_callbacks(execute=True)``, which does what a commit does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.communications.factories import (
    CommitmentFactory,
    HolidayFactory,
    InquiryFactory,
    InteractionFactory,
)
from tests.conftest import Personas
from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    SuccessCriterionFactory,
)
from tests.factories import ClientFactory, ContactFactory, MembershipFactory
from tests.feedback.factories import FollowUpFactory, SurveyInvitationFactory
from tests.relationships.factories import BusinessReviewFactory
from trustledger.clients import services as clients
from trustledger.clients.models import Client, Contact, Referral
from trustledger.communications import services as communications
from trustledger.communications import sla
from trustledger.communications.models import (
    BusinessCalendar,
    Commitment,
    CommunicationPlan,
    EscalationContact,
    Holiday,
    Inquiry,
    Interaction,
    PlanMember,
)
from trustledger.core.inputs import models_read
from trustledger.engagements import services as engagements
from trustledger.engagements.models import (
    Assignment,
    ChangeRequest,
    Deliverable,
    DeliverableReview,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    Responsibility,
    ScopeItem,
    SuccessCriterion,
    TaskMapping,
    TimeEntry,
)
from trustledger.engagements.time_scope import map_task, unmap_task
from trustledger.feedback import responses
from trustledger.feedback import services as feedback
from trustledger.feedback.models import (
    CampaignClient,
    FollowUp,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
from trustledger.imports.errors import ImportFailed
from trustledger.imports.registry import importers
from trustledger.imports.result import ImportOptions
from trustledger.imports.services import run_import
from trustledger.money.models import ExchangeRate
from trustledger.portal import services as portal
from trustledger.relationships import services as relationships
from trustledger.relationships.models import (
    BusinessReview,
    HealthAnswer,
    HealthCheck,
    ReviewItem,
    TierRoutine,
)
from trustledger.scoring.businesstime import OFFICE_HOURS
from trustledger.workspaces.models import Role
from trustledger.workspaces.services import DomainError

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SURVEYS = Path(__file__).parent / "feedback" / "data"
MONEY = Path(__file__).parent / "money" / "data"
DAY = dt.date(2026, 3, 2)  # a past Monday: every service takes it as already happened
MOMENT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)  # when the factories' inquiries arrive

# The facts apps: every concrete model of theirs is read by the index or said not to be.
FACTS_APPS = (
    "clients",
    "engagements",
    "communications",
    "feedback",
    "relationships",
    "imports",
    "money",
)

NOT_READ: dict[type[Model], str] = {
    Contact: "who to mail and who decided; the index scores none of it (a name labels an answer)",
    ScopeItem: "what was agreed; a time entry's own link to it is what the index reads",
    TaskMapping: "what an imported task counts as; applied to the time entries, which are read",
    Responsibility: "who does what in the charter; shown, never scored",
    Assignment: "who is booked on an engagement; capacity planning, not the index",
    Deliverable: "the index reads its reviews (DeliverableReview), and its name only as a label",
    PlanMember: "who serves the account; shown on the plan, never scored",
    EscalationContact: "whom to escalate to; shown on the plan, never scored",
    SurveySettings: "when surveys go out; a follow-up stores its own due date",
    SurveyCampaign: "who is asked and when; the index reads the answers",
    CampaignClient: "a campaign's audience; the index reads the answers",
    SurveyInvitation: "who was asked; the index reads the answers",
    TierRoutine: "how often to check and review each tier; drives due items, not the index",
    HealthCheck: "the account team's own assessment: the health score, not the trust index",
    HealthAnswer: "the answers of a health check: the health score, not the trust index",
    BusinessReview: "a held review reaches the index as its business-review Interaction",
    ReviewItem: "a review's agenda, goals and next steps; not scored",
    ExchangeRate: "converts analytics' sums across engagements when read; the index sums no money",
}
# Import kinds whose facts the index does not read (each must recompute nobody, tested below).
NOT_READ_KINDS: dict[str, str] = {
    "ecb-rates": "exchange rates (money.ExchangeRate, in NOT_READ)",
}


# --- the table -----------------------------------------------------------------------------------

type Arrange = Callable[[Personas], Any]
type Change = Callable[[Personas, Any], set[int]]


def nothing(p: Personas) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """One way a fact changes: the model, how (service or import kind), and the change itself,
    which returns the ids of the clients whose index it affects."""

    model: type[Model]
    label: str
    change: Change
    arrange: Arrange = nothing
    import_kind: str | None = None


CASES: list[Case] = []


def case(
    model: type[Model], label: str, *, arrange: Arrange = nothing, import_kind: str | None = None
) -> Callable[[Change], Change]:
    """Add the decorated change to the table."""

    def add(change: Change) -> Change:
        CASES.append(Case(model, label, change, arrange, import_kind))
        return change

    return add


def ids(*clients: Client) -> set[int]:
    return {c.pk for c in clients}


def acme_engagement(p: Personas, **fields: Any) -> Engagement:
    return EngagementFactory(client=p.client_a, **fields)


# Client


@case(Client, "Client via create_client")
def client_created(p: Personas, _: None) -> set[int]:
    created = clients.create_client(p.workspace_a, by=p.alice, name="Newco Partners")
    return ids(created)


@case(Client, "Client via update_client (marked lost)")
def client_lost(p: Personas, _: None) -> set[int]:
    clients.update_client(
        p.client_a, by=p.alice, status="lost", lost_on=DAY, lost_reason="Chose a rival"
    )
    return ids(p.client_a)


# Engagement


@case(Engagement, "Engagement via create_engagement")
def engagement_created(p: Personas, _: None) -> set[int]:
    engagements.create_engagement(
        p.client_a,
        by=p.alice,
        name="Tax review",
        type="fixed_fee",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=60),
        budget_amount=Decimal(9000),
    )
    return ids(p.client_a)


@case(Engagement, "Engagement via update_engagement", arrange=acme_engagement)
def engagement_updated(p: Personas, engagement: Engagement) -> set[int]:
    engagements.update_engagement(engagement, by=p.alice, budget_amount=Decimal(70000))
    return ids(p.client_a)


@case(Engagement, "Engagement via change_status (put on hold)", arrange=acme_engagement)
def engagement_on_hold(p: Personas, engagement: Engagement) -> set[int]:
    engagements.change_status(engagement, "on_hold", by=p.alice, on=DAY)
    return ids(p.client_a)


@case(
    Engagement,
    "Engagement via change_status (activated without sign-off)",
    arrange=lambda p: acme_engagement(p, status="proposed"),
)
def engagement_activated(p: Personas, engagement: Engagement) -> set[int]:
    engagements.change_status(
        engagement, "active", by=p.alice, on=DAY, override_reason="The client asked us to start"
    )
    return ids(p.client_a)


def scoped_engagement(p: Personas) -> Engagement:
    """An engagement whose charter lists its scope, so the client can sign it."""
    return ScopeItemFactory(engagement=acme_engagement(p)).engagement


@case(Engagement, "Engagement via sign_off_charter", arrange=scoped_engagement)
def charter_signed(p: Personas, engagement: Engagement) -> set[int]:
    engagements.sign_off_charter(engagement, contact=p.contact_a, on=DAY, by=p.alice)
    return ids(p.client_a)


# Milestone


@case(Milestone, "Milestone via add_milestone", arrange=acme_engagement)
def milestone_added(p: Personas, engagement: Engagement) -> set[int]:
    engagements.add_milestone(engagement, by=p.alice, name="Design signed", committed_date=DAY)
    return ids(p.client_a)


def acme_milestone(p: Personas) -> Milestone:
    return MilestoneFactory(engagement=acme_engagement(p))


@case(Milestone, "Milestone via update_milestone", arrange=acme_milestone)
def milestone_updated(p: Personas, milestone: Milestone) -> set[int]:
    engagements.update_milestone(milestone, by=p.alice, buffer_days=10)
    return ids(p.client_a)


@case(Milestone, "Milestone via deliver_milestone", arrange=acme_milestone)
def milestone_delivered(p: Personas, milestone: Milestone) -> set[int]:
    engagements.deliver_milestone(milestone, on=DAY, by=p.alice)
    return ids(p.client_a)


# Notice


@case(Notice, "Notice via record_notice (a slip)", arrange=acme_milestone)
def slip_told(p: Personas, milestone: Milestone) -> set[int]:
    engagements.record_notice(
        milestone.engagement,
        by=p.alice,
        kind="slip",
        milestone=milestone,
        sent_on=DAY - dt.timedelta(days=7),
        new_date=DAY + dt.timedelta(days=14),
    )
    return ids(p.client_a)


@case(Notice, "Notice via record_notice (an overrun)", arrange=acme_engagement)
def overrun_told(p: Personas, engagement: Engagement) -> set[int]:
    engagements.record_notice(
        engagement, by=p.alice, kind="overrun", sent_on=DAY, new_cost=Decimal(72000)
    )
    return ids(p.client_a)


# ChangeRequest


@case(ChangeRequest, "ChangeRequest via create_change_request", arrange=acme_engagement)
def change_requested(p: Personas, engagement: Engagement) -> set[int]:
    engagements.create_change_request(
        engagement, by=p.alice, title="Add a second entity", cost_impact=Decimal(5000)
    )
    return ids(p.client_a)


def acme_change_request(p: Personas, status: str) -> ChangeRequest:
    return ChangeRequestFactory(engagement=acme_engagement(p), status=status)


@case(
    ChangeRequest,
    "ChangeRequest via submit_change_request",
    arrange=lambda p: acme_change_request(p, "draft"),
)
def change_submitted(p: Personas, cr: ChangeRequest) -> set[int]:
    engagements.submit_change_request(cr, on=DAY, by=p.alice)
    return ids(p.client_a)


@case(
    ChangeRequest,
    "ChangeRequest via decide_change_request",
    arrange=lambda p: acme_change_request(p, "submitted"),
)
def change_decided(p: Personas, cr: ChangeRequest) -> set[int]:
    engagements.decide_change_request(cr, approve=True, decided_by=p.contact_a, on=DAY, by=p.alice)
    return ids(p.client_a)


@case(
    ChangeRequest,
    "ChangeRequest via withdraw_change_request",
    arrange=lambda p: acme_change_request(p, "submitted"),
)
def change_withdrawn(p: Personas, cr: ChangeRequest) -> set[int]:
    engagements.withdraw_change_request(cr, by=p.alice)
    return ids(p.client_a)


@case(
    ChangeRequest,
    "ChangeRequest via the client portal's decision",
    arrange=lambda p: ChangeRequestFactory(
        engagement=acme_engagement(p, portal_shared=True), status="submitted"
    ),
)
def change_decided_in_portal(p: Personas, cr: ChangeRequest) -> set[int]:
    portal.decide_change_request(cr, contact=p.contact_a, approve=False, note="Not this year")
    return ids(p.client_a)


# DeliverableReview


@case(
    DeliverableReview,
    "DeliverableReview via record_review",
    arrange=lambda p: DeliverableFactory(engagement=acme_engagement(p), status="in_review"),
)
def deliverable_reviewed(p: Personas, deliverable: Deliverable) -> set[int]:
    engagements.record_review(
        deliverable, outcome="returned", on=DAY, reasons="Totals are off", by=p.alice
    )
    return ids(p.client_a)


# QualityIssue


@case(QualityIssue, "QualityIssue via record_quality_issue", arrange=acme_engagement)
def issue_recorded(p: Personas, engagement: Engagement) -> set[int]:
    engagements.record_quality_issue(
        engagement,
        by=p.alice,
        title="Wrong exchange rates",
        severity="high",
        found_by="client",
        opened_on=DAY,
    )
    return ids(p.client_a)


@case(
    QualityIssue,
    "QualityIssue via resolve_quality_issue",
    arrange=lambda p: QualityIssueFactory(engagement=acme_engagement(p)),
)
def issue_resolved(p: Personas, issue: QualityIssue) -> set[int]:
    engagements.resolve_quality_issue(
        issue, on=issue.opened_on + dt.timedelta(days=2), root_cause="Stale rates", by=p.alice
    )
    return ids(p.client_a)


# SuccessCriterion


@case(SuccessCriterion, "SuccessCriterion via add_success_criterion", arrange=acme_engagement)
def criterion_added(p: Personas, engagement: Engagement) -> set[int]:
    engagements.add_success_criterion(engagement, description="Close in five days", by=p.alice)
    return ids(p.client_a)


@case(
    SuccessCriterion,
    "SuccessCriterion via assess_success_criterion",
    arrange=lambda p: SuccessCriterionFactory(engagement=acme_engagement(p)),
)
def criterion_assessed(p: Personas, criterion: SuccessCriterion) -> set[int]:
    engagements.assess_success_criterion(criterion, met=True, on=DAY, by=p.alice)
    return ids(p.client_a)


# TimeEntry


@case(TimeEntry, "TimeEntry via log_time", arrange=acme_engagement)
def time_logged(p: Personas, engagement: Engagement) -> set[int]:
    engagements.log_time(
        engagement, by=p.sam, person=p.sam, person_name="Sam Staff", date=DAY, hours=Decimal(6)
    )
    return ids(p.client_a)


# Referral


@case(Referral, "Referral via record_referral (both clients)")
def referral_recorded(p: Personas, _: None) -> set[int]:
    clients.record_referral(p.client_a, p.other_client_a, on=DAY, by=p.alice)
    return ids(p.client_a, p.other_client_a)


# Inquiry


@case(Inquiry, "Inquiry via record_inquiry")
def inquiry_recorded(p: Personas, _: None) -> set[int]:
    communications.record_inquiry(
        p.client_a, by=p.alice, channel="email", received_at=MOMENT, subject="Where is the report?"
    )
    return ids(p.client_a)


def acme_inquiry(p: Personas) -> Inquiry:
    return InquiryFactory(client=p.client_a, received_at=MOMENT)


@case(Inquiry, "Inquiry via record_inquiry_response", arrange=acme_inquiry)
def inquiry_answered(p: Personas, inquiry: Inquiry) -> set[int]:
    communications.record_inquiry_response(inquiry, at=MOMENT + dt.timedelta(hours=3), by=p.amir)
    return ids(p.client_a)


@case(Inquiry, "Inquiry via resolve_inquiry", arrange=acme_inquiry)
def inquiry_resolved(p: Personas, inquiry: Inquiry) -> set[int]:
    communications.resolve_inquiry(inquiry, at=MOMENT + dt.timedelta(days=1), by=p.amir)
    return ids(p.client_a)


@case(Inquiry, "Inquiry via update_inquiry (a new priority)", arrange=acme_inquiry)
def inquiry_corrected(p: Personas, inquiry: Inquiry) -> set[int]:
    communications.update_inquiry(inquiry, by=p.alice, priority="urgent")
    return ids(p.client_a)


@case(Inquiry, "Inquiry via a question asked in the client portal")
def question_asked_in_portal(p: Personas, _: None) -> set[int]:
    portal.ask_question(p.contact_a, subject="Can we move the steering committee?")
    return ids(p.client_a)


# Interaction


@case(Interaction, "Interaction via record_interaction")
def interaction_recorded(p: Personas, _: None) -> set[int]:
    communications.record_interaction(
        p.client_a,
        by=p.amir,
        channel="meeting",
        kind="check_in",
        occurred_at=MOMENT,
        subject="Monthly check-in",
    )
    return ids(p.client_a)


@case(
    Interaction,
    "Interaction via update_interaction",
    arrange=lambda p: InteractionFactory(client=p.client_a),
)
def interaction_updated(p: Personas, interaction: Interaction) -> set[int]:
    communications.update_interaction(interaction, by=p.amir, kind="business_review")
    return ids(p.client_a)


@case(Interaction, "Interaction via record_business_review (held)")
def business_review_recorded(p: Personas, _: None) -> set[int]:
    relationships.record_business_review(
        p.client_a, by=p.amir, held_on=DAY, goals=[("Close in five days", "on_track")]
    )
    return ids(p.client_a)


def held_review(p: Personas) -> BusinessReview:
    return BusinessReviewFactory(
        client=p.client_a,
        held_on=DAY,
        interaction=InteractionFactory(client=p.client_a, kind="business_review"),
    )


@case(Interaction, "Interaction via update_business_review", arrange=held_review)
def business_review_updated(p: Personas, review: BusinessReview) -> set[int]:
    relationships.update_business_review(review, by=p.amir, summary="Goals agreed for Q2")
    return ids(p.client_a)


@case(Interaction, "Interaction via delete_business_review", arrange=held_review)
def business_review_deleted(p: Personas, review: BusinessReview) -> set[int]:
    relationships.delete_business_review(review, by=p.amir)
    return ids(p.client_a)


# Commitment


@case(Commitment, "Commitment via record_commitment")
def commitment_recorded(p: Personas, _: None) -> set[int]:
    communications.record_commitment(
        p.client_a,
        by=p.amir,
        description="Send the revised plan",
        made_on=DAY,
        due_on=DAY + dt.timedelta(days=5),
    )
    return ids(p.client_a)


def acme_commitment(p: Personas) -> Commitment:
    return CommitmentFactory(client=p.client_a, owner=p.amir)


@case(Commitment, "Commitment via update_commitment", arrange=acme_commitment)
def commitment_moved(p: Personas, commitment: Commitment) -> set[int]:
    communications.update_commitment(
        commitment, by=p.amir, due_on=commitment.due_on + dt.timedelta(days=3)
    )
    return ids(p.client_a)


@case(Commitment, "Commitment via complete_commitment", arrange=acme_commitment)
def commitment_kept(p: Personas, commitment: Commitment) -> set[int]:
    communications.complete_commitment(commitment, by=p.amir, on=commitment.due_on)
    return ids(p.client_a)


@case(Commitment, "Commitment via break_commitment", arrange=acme_commitment)
def commitment_broken(p: Personas, commitment: Commitment) -> set[int]:
    communications.break_commitment(commitment, by=p.amir, on=commitment.due_on, note="Too late")
    return ids(p.client_a)


@case(
    Commitment,
    "Commitment via reopen_commitment",
    arrange=lambda p: CommitmentFactory(client=p.client_a, done_on=dt.date(2025, 3, 7)),
)
def commitment_reopened(p: Personas, commitment: Commitment) -> set[int]:
    communications.reopen_commitment(commitment, by=p.amir)
    return ids(p.client_a)


# CommunicationPlan


@case(CommunicationPlan, "CommunicationPlan via save_plan")
def plan_saved(p: Personas, _: None) -> set[int]:
    communications.save_plan(p.client_a, by=p.amir, check_in_days=14, review_days=91)
    return ids(p.client_a)


# BusinessCalendar and Holiday: they count every client's response times


@case(BusinessCalendar, "BusinessCalendar via update_business_calendar (every client)")
def calendar_saved(p: Personas, _: None) -> set[int]:
    sla.update_business_calendar(
        p.workspace_a, by=p.alice, time_zone="Europe/Berlin", hours=OFFICE_HOURS
    )
    return ids(p.client_a, p.other_client_a)


@case(Holiday, "Holiday via add_holiday (every client)")
def holiday_added(p: Personas, _: None) -> set[int]:
    sla.add_holiday(p.workspace_a, by=p.alice, date=dt.date(2026, 12, 24), name="Christmas Eve")
    return ids(p.client_a, p.other_client_a)


@case(
    Holiday,
    "Holiday via remove_holiday (every client)",
    arrange=lambda p: HolidayFactory(workspace=p.workspace_a),
)
def holiday_removed(p: Personas, holiday: Holiday) -> set[int]:
    sla.remove_holiday(holiday, by=p.alice)
    return ids(p.client_a, p.other_client_a)


# SurveyResponse


@case(SurveyResponse, "SurveyResponse via record_response (recorded by hand)")
def answer_recorded(p: Personas, _: None) -> set[int]:
    responses.record_response(
        responses.NewResponse(
            client=p.client_a, score=9, answered_at=timezone.now(), source="manual"
        ),
        by=p.amir,
    )
    return ids(p.client_a)


@case(
    SurveyResponse,
    "SurveyResponse via submit_answer (the survey link)",
    arrange=lambda p: SurveyInvitationFactory(contact=p.contact_a),
)
def answer_through_the_link(p: Personas, invitation: SurveyInvitation) -> set[int]:
    feedback.submit_answer(invitation, score=4)
    return ids(p.client_a)


@case(SurveyResponse, "SurveyResponse via feedback given in the client portal")
def answer_given_in_portal(p: Personas, _: None) -> set[int]:
    portal.give_feedback(p.contact_a, score=10)
    return ids(p.client_a)


# FollowUp


@case(FollowUp, "FollowUp via create_follow_up")
def follow_up_opened(p: Personas, _: None) -> set[int]:
    responses.create_follow_up(p.client_a, summary="Call about the late report", by=p.amir)
    return ids(p.client_a)


def acme_follow_up(p: Personas) -> FollowUp:
    return FollowUpFactory(client=p.client_a, owner=p.amir)


@case(FollowUp, "FollowUp via update_follow_up", arrange=acme_follow_up)
def follow_up_moved(p: Personas, follow_up: FollowUp) -> set[int]:
    responses.update_follow_up(follow_up, by=p.amir, due_on=follow_up.due_on + dt.timedelta(days=2))
    return ids(p.client_a)


@case(FollowUp, "FollowUp via close_follow_up", arrange=acme_follow_up)
def follow_up_closed(p: Personas, follow_up: FollowUp) -> set[int]:
    responses.close_follow_up(follow_up, outcome="Apologised; new date agreed", by=p.amir)
    return ids(p.client_a)


# Importers: one case per registered kind, with the sample files the import tests use


def run(p: Personas, kind: str, path: Path, **options: Any) -> None:
    run_import(p.workspace_a, kind, path, ImportOptions(name=path.name, **options))


def client_named(p: Personas, name: str) -> Client:
    return Client.objects.for_workspace(p.workspace_a).get(name=name)


def time_firm(p: Personas) -> None:
    """Workspace A's engagements and people as the time samples name them."""
    MembershipFactory(
        workspace=p.workspace_a,
        role=Role.STAFF,
        user__full_name="Dana Delivery",
        user__email="dana@alpha.example",
    )
    finance = acme_engagement(p, name="Finance Transformation", external_id="ACME-FT")
    ScopeItemFactory(engagement=finance, title="Discovery")
    acme_engagement(p, name="Month-end Close")
    EngagementFactory(client=p.other_client_a, name="Data Platform", external_id="OAC-DP")


def mail_firm(p: Personas) -> None:
    """The addresses the mail, calendar and help-desk samples use (Acme writes as Ada)."""
    for user, email in ((p.alice, "alice@firm.example"), (p.amir, "amir@firm.example")):
        user.email = email
        user.save(update_fields=["email"])
    ContactFactory(client=p.client_a, name="Ada Contact", email="ada@acme.example")


def survey_people(p: Personas) -> None:
    ContactFactory(client=p.client_a, name="Ana Acme", email="ana@acme.example")
    ContactFactory(client=p.other_client_a, name="Olu Other", email="olu@other.example")


@case(Engagement, "Engagement via engagements-csv import", import_kind="engagements-csv")
def engagements_imported(p: Personas, _: None) -> set[int]:
    run(p, "engagements-csv", DATA / "imports" / "engagements.csv", may_override=True)
    created = [client_named(p, n) for n in ("Northwind Traders", "Zürich Rückversicherung")]
    return ids(p.client_a, *created)


@case(TimeEntry, "TimeEntry via harvest import", arrange=time_firm, import_kind="harvest")
def harvest_imported(p: Personas, _: None) -> set[int]:
    # a row per batch: still one announcement for the whole file, after it commits
    path = DATA / "imports" / "harvest_time_report.csv"
    run(p, "harvest", path, may_override=True, batch_size=1)
    return ids(p.client_a, p.other_client_a)


@case(TimeEntry, "TimeEntry via toggl import", arrange=time_firm, import_kind="toggl")
def toggl_imported(p: Personas, _: None) -> set[int]:
    run(p, "toggl", DATA / "imports" / "toggl_detailed.csv", may_override=True)
    return ids(p.client_a, p.other_client_a)


TIME_MAPPING = {
    "date": "Day",
    "hours": "Time",
    "person": "Who",
    "engagement": "Project",
    "client": "Customer",
    "note": "Remarks",
    "cost_rate": "Hourly cost",
    "date_format": "%d/%m/%Y",
}


def time_imported(p: Personas) -> None:
    time_firm(p)
    run(p, "harvest", DATA / "imports" / "harvest_time_report.csv", may_override=True)


@case(TimeEntry, "TimeEntry via map_task (one engagement's imported rows)", arrange=time_imported)
def task_mapped(p: Personas, _: None) -> set[int]:
    finance = Engagement.objects.get(workspace=p.workspace_a, name="Finance Transformation")
    done = map_task(
        p.workspace_a, engagement=finance, task="Project Management", target="overhead", by=p.alice
    )
    assert done.applied_to == 1
    return ids(p.client_a)


@case(
    TimeEntry, "TimeEntry via map_task firm-wide (rows of every engagement)", arrange=time_imported
)
def task_mapped_firm_wide(p: Personas, _: None) -> set[int]:
    done = map_task(
        p.workspace_a, engagement=None, task="development", target="unapproved", by=p.alice
    )
    assert done.applied_to == 2  # both Data Platform rows: Other Alpha Client's only
    return ids(p.other_client_a)


def task_mapped_before(p: Personas) -> TaskMapping:
    time_imported(p)
    return map_task(
        p.workspace_a, engagement=None, task="Reconciliation", target="overhead", by=p.alice
    ).mapping


@case(TimeEntry, "TimeEntry via unmap_task", arrange=task_mapped_before)
def task_unmapped(p: Personas, mapping: TaskMapping) -> set[int]:
    assert unmap_task(mapping, by=p.alice) == 1
    return ids(p.client_a)


@case(TimeEntry, "TimeEntry via time-csv import", arrange=time_firm, import_kind="time-csv")
def time_csv_imported(p: Personas, _: None) -> set[int]:
    path = DATA / "imports" / "time_generic_semicolon.csv"
    run(p, "time-csv", path, mapping=TIME_MAPPING, may_override=True)
    return ids(p.client_a, p.other_client_a)


@case(Interaction, "Interaction and Inquiry via mbox import", arrange=mail_firm, import_kind="mbox")
def mailbox_imported(p: Personas, _: None) -> set[int]:
    run(p, "mbox", DATA / "communications" / "inbox.mbox", by=p.alice)
    return ids(p.client_a)


@case(Inquiry, "Inquiry via eml import", arrange=mail_firm, import_kind="eml")
def message_imported(p: Personas, _: None) -> set[int]:
    run(p, "eml", DATA / "communications" / "question.eml")
    return ids(p.client_a)


def question_imported(p: Personas) -> None:
    """An open inquiry from an earlier file (its import is delivered before counting)."""
    mail_firm(p)
    run(p, "eml", DATA / "communications" / "question.eml")


@case(
    Inquiry,
    "Inquiry answered via eml import (a reply in a later file)",
    arrange=question_imported,
    import_kind="eml",
)
def reply_imported(p: Personas, _: None) -> set[int]:
    run(p, "eml", DATA / "communications" / "reply.eml")
    assert Inquiry.objects.get(subject="Revised timeline").first_response_at is not None
    return ids(p.client_a)


@case(Interaction, "Interaction via ics import", arrange=mail_firm, import_kind="ics")
def calendar_imported(p: Personas, _: None) -> set[int]:
    run(p, "ics", DATA / "communications" / "meetings.ics")
    return ids(p.client_a)


@case(Inquiry, "Inquiry via zendesk import", arrange=mail_firm, import_kind="zendesk")
def zendesk_imported(p: Personas, _: None) -> set[int]:
    run(p, "zendesk", DATA / "communications" / "zendesk-tickets.csv")
    return ids(p.client_a)


@case(Inquiry, "Inquiry via freshdesk import", arrange=mail_firm, import_kind="freshdesk")
def freshdesk_imported(p: Personas, _: None) -> set[int]:
    run(p, "freshdesk", DATA / "communications" / "freshdesk-tickets.csv")
    return ids(p.client_a)


@case(
    SurveyResponse,
    "SurveyResponse via delighted import",
    arrange=survey_people,
    import_kind="delighted",
)
def delighted_imported(p: Personas, _: None) -> set[int]:
    run(p, "delighted", SURVEYS / "delighted.csv")
    return ids(p.client_a, p.other_client_a)


@case(
    SurveyResponse,
    "SurveyResponse via typeform import",
    arrange=survey_people,
    import_kind="typeform",
)
def typeform_imported(p: Personas, _: None) -> set[int]:
    run(p, "typeform", SURVEYS / "typeform.csv")
    return ids(p.client_a, p.other_client_a)


@case(SurveyResponse, "SurveyResponse via responses-csv import", import_kind="responses-csv")
def survey_csv_imported(p: Personas, _: None) -> set[int]:
    mapping = {"client": "Company", "name": "Respondent", "date": "Answered", "comment": "Why"}
    run(p, "responses-csv", SURVEYS / "responses.csv", mapping=mapping)
    return ids(p.client_a, p.other_client_a)


# --- running a change ----------------------------------------------------------------------------

type Capture = Callable[..., AbstractContextManager[Any]]


def recompute_rows() -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(task_path__endswith="recompute_clients_task")


def arranged(case: Case, p: Personas, capture: Capture) -> Any:
    """The case's preconditions; were one of them announced, it is delivered now, before
    counting, so it neither counts nor swallows the change's own announcement."""
    with capture(execute=True):
        return case.arrange(p)


def enqueued_by(change: Callable[[], Any], capture: Capture) -> tuple[Any, list[list[Any]]]:
    """Run ``change`` as one committed request would; return its result and the (workspace,
    client ids) of each recompute it enqueued."""
    before = set(recompute_rows().values_list("pk", flat=True))
    with capture(execute=True):
        result = change()
    new = recompute_rows().exclude(pk__in=before).order_by("enqueued_at")
    return result, [row.args_kwargs["args"] for row in new]


def by_label(cases: list[Case]) -> list[Any]:
    return [pytest.param(item, id=item.label) for item in cases]


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", by_label(CASES))
def test_each_change_recomputes_exactly_the_clients_it_affects_once(
    case: Case, personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    state = arranged(case, personas, django_capture_on_commit_callbacks)
    affected, enqueued = enqueued_by(
        lambda: case.change(personas, state), django_capture_on_commit_callbacks
    )
    assert affected, "a case names the clients its change affects"
    assert enqueued == [[personas.workspace_a.pk, sorted(affected)]], case.label


def test_every_model_the_index_reads_has_a_service_case() -> None:
    served = {c.model for c in CASES if c.import_kind is None}
    missing = sorted(m.__name__ for m in (models_read() | {Client}) - served)
    assert missing == [], f"add a case to CASES for each of {missing}"


def test_every_registered_import_kind_has_a_case() -> None:
    registered = {spec.kind for spec in importers()} - NOT_READ_KINDS.keys()
    cased = {c.import_kind for c in CASES if c.import_kind}
    assert sorted(registered - cased) == [], "add a case to CASES for each new import kind"
    assert sorted(cased - registered) == [], "a case names an import kind nobody registers"


def test_every_model_of_the_facts_apps_is_read_by_the_index_or_said_not_to_be() -> None:
    models = {
        model
        for label in FACTS_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    }
    read = models_read() | {Client}
    unaccounted = sorted(m.__name__ for m in models - read - NOT_READ.keys())
    assert unaccounted == [], "add them to a trust input, or to NOT_READ with the reason"
    both = sorted(m.__name__ for m in read & NOT_READ.keys())
    assert both == [], "the index reads these: take them out of NOT_READ"
    assert all(reason.strip() for reason in NOT_READ.values())


def test_changes_to_several_clients_in_one_transaction_are_recomputed_together_once(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    @transaction.atomic
    def one_request() -> None:
        communications.save_plan(personas.client_a, by=personas.amir, check_in_days=14)
        engagements.log_time(
            EngagementFactory(client=personas.other_client_a), by=personas.sam, date=DAY, hours=2
        )
        clients.update_client(personas.client_a, by=personas.alice, industry="Shipping")

    _, enqueued = enqueued_by(one_request, django_capture_on_commit_callbacks)
    both = sorted(ids(personas.client_a, personas.other_client_a))
    assert enqueued == [[personas.workspace_a.pk, both]]


# Another workspace


def calendar_of_b(p: Personas) -> None:
    sla.update_business_calendar(p.workspace_b, by=p.charlie, time_zone="UTC", hours=OFFICE_HOURS)


def holiday_of_b(p: Personas) -> None:
    sla.add_holiday(p.workspace_b, by=p.charlie, date=dt.date(2026, 12, 26), name="Boxing Day")


def engagement_of_b(p: Personas) -> None:
    engagements.create_engagement(
        p.client_b,
        by=p.charlie,
        name="B's own work",
        type="retainer",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=30),
    )


def referral_in_b(p: Personas) -> None:
    other = ClientFactory(workspace=p.workspace_b, name="Beta Referred")
    clients.record_referral(p.client_b, other, on=DAY, by=p.charlie)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(calendar_of_b, id="B's business calendar"),
        pytest.param(holiday_of_b, id="B's holiday"),
        pytest.param(engagement_of_b, id="B's engagement"),
        pytest.param(referral_in_b, id="a referral within B"),
    ],
)
def test_a_change_in_another_workspace_names_only_that_workspaces_clients(
    change: Callable[[Personas], None],
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _, enqueued = enqueued_by(lambda: change(personas), django_capture_on_commit_callbacks)
    b_clients = set(Client.objects.for_workspace(personas.workspace_b).values_list("pk", flat=True))
    assert len(enqueued) == 1
    ((workspace_id, client_ids),) = enqueued
    assert workspace_id == personas.workspace_b.pk
    assert personas.client_b.pk in client_ids and set(client_ids) <= b_clients


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("mbox", DATA / "communications" / "inbox.mbox"),
        ("harvest", DATA / "imports" / "harvest_time_report.csv"),
    ],
)
def test_importing_a_file_naming_another_workspaces_clients_recomputes_nobody(
    kind: str, path: Path, personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        mail_firm(personas)
        time_firm(personas)  # workspace A's engagements, which the file names

    def into_b() -> None:
        # B has none of the engagements the file names: refused, which writes nothing either
        with contextlib.suppress(ImportFailed):
            run_import(personas.workspace_b, kind, path, ImportOptions(name=path.name))

    _, enqueued = enqueued_by(into_b, django_capture_on_commit_callbacks)
    assert enqueued == []


# Rolled back: nothing happened, so nothing is recomputed


@transaction.atomic
def create_client_then_log_too_many_hours(p: Personas) -> None:
    clients.create_client(p.workspace_a, by=p.alice, name="Short-lived Ltd")
    engagements.log_time(acme_engagement(p), by=p.sam, date=DAY, hours=Decimal(30))


def refused_inside_one_transaction(p: Personas) -> None:
    """A client is created, then the same transaction is refused: neither happened."""
    with pytest.raises(DomainError):
        create_client_then_log_too_many_hours(p)


def refused_by_the_service(p: Personas) -> None:
    milestone = MilestoneFactory(engagement=acme_engagement(p), status="delivered")
    with pytest.raises(DomainError):
        engagements.deliver_milestone(milestone, on=DAY, by=p.alice)


def set_to_roll_back(p: Personas) -> None:
    with transaction.atomic():
        communications.record_interaction(
            p.client_a, by=p.amir, channel="phone", occurred_at=MOMENT, subject="Quick call"
        )
        sla.add_holiday(p.workspace_a, by=p.alice, date=dt.date(2026, 5, 1), name="May Day")
        transaction.set_rollback(True)


def a_dry_run_import(p: Personas) -> None:
    time_firm(p)
    path = DATA / "imports" / "harvest_time_report.csv"
    run_import(p.workspace_a, "harvest", path, ImportOptions(dry_run=True, may_override=True))


def a_refused_import(p: Personas) -> None:
    time_firm(p)
    path = DATA / "imports" / "harvest_bad_hours.csv"
    with pytest.raises(ImportFailed):
        run_import(p.workspace_a, "harvest", path, ImportOptions(may_override=True))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(refused_inside_one_transaction, id="refused later in the transaction"),
        pytest.param(refused_by_the_service, id="refused by the service"),
        pytest.param(set_to_roll_back, id="transaction set to roll back"),
        pytest.param(a_dry_run_import, id="a dry-run import"),
        pytest.param(a_refused_import, id="a refused import"),
    ],
)
def test_a_change_that_is_rolled_back_enqueues_no_recompute(
    change: Callable[[Personas], None],
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _, enqueued = enqueued_by(lambda: change(personas), django_capture_on_commit_callbacks)
    assert enqueued == []


def test_a_commit_after_a_rolled_back_change_announces_only_what_was_kept(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    def roll_back_then_keep() -> None:
        set_to_roll_back(personas)
        communications.save_plan(personas.other_client_a, by=personas.alice, check_in_days=30)

    _, enqueued = enqueued_by(roll_back_then_keep, django_capture_on_commit_callbacks)
    assert enqueued == [[personas.workspace_a.pk, [personas.other_client_a.pk]]]


def test_importing_what_the_index_does_not_read_recomputes_nobody(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    files = {"ecb-rates": MONEY / "eurofxref-hist.csv"}
    assert files.keys() == NOT_READ_KINDS.keys()
    for kind, path in files.items():
        _, enqueued = enqueued_by(
            lambda kind=kind, path=path: run(personas, kind, path, may_override=True),
            django_capture_on_commit_callbacks,
        )
        assert enqueued == [], kind


def test_the_table_has_one_case_per_label() -> None:
    labels = [c.label for c in CASES]
    assert len(labels) == len(set(labels))
