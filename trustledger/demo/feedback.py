"""Demo survey history: relationship NPS twice a year, answers that match what happened.

Each contact of an active client is asked in March and September. Whether they answer and what
score they give follow the client's latent service quality on that day (``story.quality``), never
the trust index. Comments name what went wrong in the client's engagements in the six months
before (late milestones, budget surprises from change requests or unapproved work, deliverables
sent back, defects the client found, slips nobody warned about) or, from happy clients, what went
well. Every comment is read by the real offline classifier, and detractors and complaints open
follow-ups, closed on time when the firm serves the client well and late (or not yet) otherwise.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.utils import timezone

from trustledger.clients.models import Contact
from trustledger.demo.context import DemoContext
from trustledger.demo.simulation import ClientStory
from trustledger.engagements.models import (
    ChangeRequest,
    DeliverableReview,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    TimeEntry,
)
from trustledger.feedback.models import (
    CampaignStatus,
    FollowUp,
    Schedule,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from trustledger.feedback.responses import (
    add_business_days,
    analyse_comments,
    follow_up_reason,
    summary_of,
)
from trustledger.scoring.nps import category

SURVEY_MONTHS = (3, 9)
LINK_DAYS = 30
LOOKBACK = dt.timedelta(days=182)

COMPLAINTS: dict[str, list[str]] = {
    "deadlines": [
        "{milestone} was late again. We had to move our own launch because of it.",
        "Deadlines on {engagement} kept slipping; three weeks late on the last milestone.",
        "The schedule is never met. {milestone} came in well after the committed date.",
        "We planned around your dates and {milestone} still arrived late.",
    ],
    "communication": [
        "Nobody warned us that {milestone} would slip; we found out on the due date.",
        "We have to chase for every update on {engagement}. Calls are not returned.",
        "Status reports stopped arriving and our questions go unanswered for days.",
        "We were kept in the dark about the delays until it was too late to react.",
    ],
    "scope_budget": [
        "The invoice for {engagement} was far above the estimate, with extra work we never "
        "approved.",
        "Costs keep creeping up: '{change}' added money to what we thought was a fixed fee.",
        "We were billed for work outside the agreed scope without a change request.",
        "Budget overrun again. Nobody told us the hours were running out.",
    ],
    "quality": [
        "The {deliverable} came back with errors our own team had to correct.",
        "Too many defects: {issue}. We expect better quality from a firm like yours.",
        "The figures in the report did not reconcile with our ledger, twice.",
        "Sloppy work on {engagement}; we sent deliverables back for rework more than once.",
    ],
}
MILD: dict[str, list[str]] = {
    "deadlines": [
        "Good work overall, although {milestone} was a few days late.",
        "Solid team. Timelines could be tighter.",
    ],
    "communication": [
        "Good results, but we would like more regular updates without having to ask.",
        "Fine work; communication about changes could be more proactive.",
    ],
    "scope_budget": [
        "Useful work, though the final bill was higher than the estimate.",
        "Decent value; the change requests made the budget harder to follow.",
    ],
    "quality": [
        "Mostly good, a few errors slipped into the {deliverable}.",
        "Helpful team; the first drafts needed more review than we expected.",
    ],
}
PRAISE = [
    "Excellent team, a pleasure to work with. We recommend you to everyone.",
    "{manager} and the team went above and beyond on {engagement}. Thank you!",
    "Outstanding partner: thoughtful, reliable and genuinely helpful.",
    "Great people and great work. Keep it up.",
    "Delivered on time and on budget, exactly as promised.",
    "Always responsive and clear; we always know where {engagement} stands.",
    "The quality of the work on {engagement} was first class.",
]
NEUTRAL = [
    "No strong opinion this time; the project was small.",
    "We are reorganising internally, so it is hard to judge this period.",
    "n/a",
]
OUTCOMES_ON_TIME = [
    "Called the client the next day, apologised and agreed a recovery plan with weekly updates.",
    "Met the sponsor; agreed new milestone dates and a named contact for escalations.",
    "Reviewed the invoice together, credited the unapproved hours, agreed change control.",
    "Walked through the errors, added a second reviewer on every deliverable.",
]
OUTCOMES_LATE = [
    "Finally reached the client after several attempts; they were frustrated by the wait.",
    "Spoke to the client two weeks later; they had already escalated to their board.",
]


@dataclass
class ClientHistory:
    """What went wrong (or right) for one client, dated, to write believable comments."""

    late: list[tuple[dt.date, str, str]] = field(default_factory=list)  # day, milestone, eng
    unwarned: list[dt.date] = field(default_factory=list)
    returned: list[tuple[dt.date, str]] = field(default_factory=list)
    issues: list[tuple[dt.date, str]] = field(default_factory=list)
    changes: list[tuple[dt.date, str]] = field(default_factory=list)
    creep_months: Counter[dt.date] = field(default_factory=Counter)
    engagements: list[tuple[dt.date, str]] = field(default_factory=list)

    def problems(self, day: dt.date) -> Counter[str]:
        """How often each trust theme went wrong in the six months before ``day``."""

        def recent(when: dt.date) -> bool:
            return day - LOOKBACK <= when < day

        counts: Counter[str] = Counter()
        counts["deadlines"] = sum(1 for d, _, _ in self.late if recent(d))
        counts["communication"] = sum(1 for d in self.unwarned if recent(d))
        counts["quality"] = sum(1 for d, _ in self.returned if recent(d)) + sum(
            1 for d, _ in self.issues if recent(d)
        )
        counts["scope_budget"] = sum(1 for d, _ in self.changes if recent(d)) + sum(
            n > 3 for m, n in self.creep_months.items() if recent(m)
        )
        return +counts


def _histories(ctx: DemoContext) -> dict[int, ClientHistory]:
    """Every client's dated delivery facts, in a handful of queries for the whole firm."""
    out: defaultdict[int, ClientHistory] = defaultdict(ClientHistory)
    ws = ctx.workspace
    notices = Notice.objects.filter(milestone=OuterRef("pk"), kind="slip")
    delivered = (
        Milestone.objects.for_workspace(ws)
        .filter(delivered_on__isnull=False)
        .annotate(warned=Exists(notices))
        .values_list(
            "engagement__client_id",
            "committed_date",
            "buffer_days",
            "delivered_on",
            "name",
            "engagement__name",
            "warned",
        )
    )
    for client_id, committed, buffer, delivered_on, name, engagement, warned in delivered:
        if delivered_on is None or (delivered_on - committed).days <= buffer:
            continue
        out[client_id].late.append((delivered_on, name.split(": ")[-1], engagement))
        if not warned:
            out[client_id].unwarned.append(delivered_on)
    for client_id, day, name in (
        DeliverableReview.objects.for_workspace(ws)
        .filter(outcome="returned")
        .values_list("deliverable__engagement__client_id", "reviewed_on", "deliverable__name")
    ):
        out[client_id].returned.append((day, name))
    for client_id, day, title in (
        QualityIssue.objects.for_workspace(ws)
        .filter(found_by="client")
        .values_list("engagement__client_id", "opened_on", "title")
    ):
        out[client_id].issues.append((day, title.lower()))
    for client_id, decided, title in (
        ChangeRequest.objects.for_workspace(ws)
        .filter(status="approved", decided_on__isnull=False)
        .values_list("engagement__client_id", "decided_on", "title")
    ):
        if decided is not None:
            out[client_id].changes.append((decided, title))
    creep = (
        TimeEntry.objects.for_workspace(ws)
        .filter(scope_item__isnull=True, change_request__isnull=True)
        .annotate(month=TruncMonth("date"))
        .values_list("engagement__client_id", "month")
        .annotate(n=Count("pk"))
    )
    for client_id, month, n in creep:
        out[client_id].creep_months[month] = n
    for client_id, start, name in Engagement.objects.for_workspace(ws).values_list(
        "client_id", "start_date", "name"
    ):
        out[client_id].engagements.append((start, name))
    return out


def survey_days(today: dt.date, since: dt.date) -> list[dt.date]:
    """Every 15 March and 15 September between ``since`` and a week before ``today``."""
    days = []
    for year in range(since.year, today.year + 1):
        for month in SURVEY_MONTHS:
            day = dt.date(year, month, 15)
            if since <= day <= today - dt.timedelta(days=7):
                days.append(day)
    return days


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


class _Writer:
    """Draws each answer from the story and writes its comment from the client's history."""

    def __init__(self, rng: random.Random, manager: str) -> None:
        self.rng, self.manager = rng, manager

    def score(self, quality: float) -> int:
        return max(0, min(10, round(self.rng.gauss(12.5 * quality - 1.8, 1.2))))

    def comment(self, score: int, history: ClientHistory, day: dt.date) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            return ""
        problems = history.problems(day)
        facts = self._facts(history, day)
        kind = category(score)
        if kind == "detractor":
            theme = problems.most_common(1)[0][0] if problems else rng.choice(list(COMPLAINTS))
            template = rng.choice(COMPLAINTS[theme])
        elif kind == "passive":
            theme = problems.most_common(1)[0][0] if problems else rng.choice(list(MILD))
            template = rng.choice(MILD[theme] + (NEUTRAL if rng.random() < 0.15 else []))
        else:
            template = rng.choice(PRAISE)
        return template.format(**facts)

    def _facts(self, history: ClientHistory, day: dt.date) -> dict[str, str]:
        before = [e for e in history.engagements if e[0] < day] or history.engagements
        late = [m for m in history.late if m[0] < day]
        returned = [d for d in history.returned if d[0] < day]
        issues = [i for i in history.issues if i[0] < day]
        changes = [c for c in history.changes if c[0] < day]
        return {
            "engagement": max(before)[1] if before else "the project",
            "milestone": (late[-1][1] if late else "the last milestone").capitalize(),
            "deliverable": returned[-1][1] if returned else "last report",
            "issue": issues[-1][1] if issues else "wrong totals in reports",
            "change": changes[-1][1] if changes else "extra reporting",
            "manager": self.manager,
        }


def build(ctx: DemoContext) -> None:
    # An own generator seeded from the shared one's state, so parts added after this one draw
    # the same numbers whether or not surveys are generated.
    rng = random.Random(hash(ctx.rng.getstate()))
    days = survey_days(ctx.today, min(s.start for s in ctx.stories))
    campaign = SurveyCampaign.objects.create(
        workspace=ctx.workspace,
        name="Relationship NPS",
        schedule=Schedule.RECURRING,
        interval_months=6,
        starts_on=days[0] if days else ctx.today,
        status=CampaignStatus.ACTIVE,
        last_run_on=days[-1] if days else None,
        next_run_on=_next_survey_day(ctx.today),
        created_by=ctx.owner,
        created_at=_at(days[0], 8) if days else timezone.now(),
    )
    SurveyCampaign.objects.create(
        workspace=ctx.workspace,
        name="Project close check-in",
        schedule=Schedule.AFTER_ENGAGEMENT,
        delay_days=7,
        starts_on=ctx.today,
        created_by=ctx.owner,
    )
    histories = _histories(ctx)
    contacts = defaultdict(list)
    for contact in Contact.objects.for_workspace(ctx.workspace).order_by("pk"):
        contacts[contact.client_id].append(contact)
    answers: list[tuple[SurveyInvitation, SurveyResponse]] = []
    invitations: list[SurveyInvitation] = []
    for story, client in zip(ctx.stories, ctx.clients, strict=True):
        writer = _Writer(rng, str(client.account_manager or "Your account manager"))
        for day in days:
            if not _surveyed(story, day):
                continue
            for contact in contacts[client.pk]:
                if contact.survey_opt_out:
                    continue
                inv, response = _ask(rng, writer, story, campaign, contact, day, ctx.today)
                invitations.append(inv)
                if response is not None:
                    response.comment = writer.comment(response.score, histories[client.pk], day)
                    answers.append((inv, response))
    SurveyInvitation.objects.bulk_create(invitations, batch_size=2000)
    _save_answers(ctx, rng, answers)


def _next_survey_day(today: dt.date) -> dt.date:
    for year in (today.year, today.year + 1):
        for month in SURVEY_MONTHS:
            if (day := dt.date(year, month, 15)) > today:
                return day
    return today  # pragma: no cover


def _surveyed(story: ClientStory, day: dt.date) -> bool:
    """Clients are asked once they have worked with the firm for two months, until they leave."""
    return story.active_on(day) and day - story.start >= dt.timedelta(days=60)


def _ask(
    rng: random.Random,
    writer: _Writer,
    story: ClientStory,
    campaign: SurveyCampaign,
    contact: Contact,
    day: dt.date,
    today: dt.date,
) -> tuple[SurveyInvitation, SurveyResponse | None]:
    sent = _at(day, 9)
    inv = SurveyInvitation(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        contact=contact,
        client_id=contact.client_id,
        created_at=sent,
        sent_at=sent,
        expires_at=sent + dt.timedelta(days=LINK_DAYS),
    )
    delay = rng.choice([0, 0, 1, 1, 2, 3, 6, 8, 12, 20])
    answers = rng.random() < 0.45 + 0.3 * story.quality(day)
    answered_on = day + dt.timedelta(days=delay)
    if (delay > 5 or not answers) and day + dt.timedelta(days=5) <= today:
        inv.reminded_at = _at(day + dt.timedelta(days=5), 9)
    if not answers or answered_on > today:
        if rng.random() < 0.3 and day + dt.timedelta(days=2) <= today:
            inv.opened_at = _at(day + dt.timedelta(days=2), 14)
        return inv, None
    moment = _at(answered_on, rng.randint(8, 18)) + dt.timedelta(minutes=rng.randint(0, 59))
    inv.opened_at, inv.answered_at = moment - dt.timedelta(minutes=3), moment
    response = SurveyResponse(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        client_id=contact.client_id,
        contact=contact,
        respondent=contact.name,
        score=writer.score(story.quality(answered_on)),
        answered_at=moment,
        recorded_at=moment,
        source="survey",
    )
    return inv, response


def _save_answers(
    ctx: DemoContext,
    rng: random.Random,
    answers: list[tuple[SurveyInvitation, SurveyResponse]],
) -> None:
    analyses = analyse_comments([r.comment for _, r in answers])
    responses = []
    for (inv, response), analysis in zip(answers, analyses, strict=True):
        response.invitation = inv
        if analysis is not None:
            response.sentiment_label = analysis.sentiment_label
            response.sentiment_score = round(analysis.sentiment_score, 4)
            response.theme = analysis.theme
            response.theme_confidence = round(analysis.theme_confidence, 4)
        responses.append(response)
    SurveyResponse.objects.bulk_create(responses, batch_size=2000)
    stories = {c.pk: s for s, c in zip(ctx.stories, ctx.clients, strict=True)}
    managers = {c.pk: c.account_manager_id for c in ctx.clients}
    follow_ups = []
    for response in responses:
        reason = follow_up_reason(response, response.recorded_at)
        if reason is None:
            continue
        opened = timezone.localdate(response.recorded_at)
        due = add_business_days(opened, 2)
        follow_up = FollowUp(
            workspace=ctx.workspace,
            client_id=response.client_id,
            response=response,
            reason=reason,
            summary=summary_of(response),
            owner_id=managers[response.client_id],
            due_on=due,
            created_at=response.recorded_at,
        )
        _close(rng, follow_up, stories[response.client_id].quality(opened), ctx.today)
        follow_ups.append(follow_up)
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)


def _close(rng: random.Random, follow_up: FollowUp, quality: float, today: dt.date) -> None:
    """Well-run accounts close the loop on time; poorly run ones late, or not at all yet."""
    if rng.random() < quality:
        done = follow_up.due_on - dt.timedelta(days=rng.choice([0, 0, 1]))
        outcome = rng.choice(OUTCOMES_ON_TIME)
    elif rng.random() < 0.75:
        done = follow_up.due_on + dt.timedelta(days=rng.randint(2, 15))
        outcome = rng.choice(OUTCOMES_LATE)
    else:
        return  # still open
    if done > today:
        return
    done = max(done, timezone.localdate(follow_up.created_at))
    follow_up.done_on, follow_up.outcome, follow_up.closed_at = done, outcome, _at(done, 17)
