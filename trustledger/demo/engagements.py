"""Demo engagements and their delivery facts, drawn from each client's simulated service quality.

Where quality is low, milestones slip (and the client is less often told in advance), reviews
send deliverables back, the client finds defects, and work drifts onto unapproved scope.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from trustledger.analytics import rollup
from trustledger.clients.models import Client, Contact
from trustledger.demo.context import DemoContext
from trustledger.demo.simulation import Archetype, ClientStory
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
    TimeEntry,
)
from trustledger.workspaces.models import Role, User

PROJECTS = [
    "ERP selection",
    "Finance transformation",
    "Data platform build",
    "Website relaunch",
    "Cloud migration",
    "Process audit",
    "Brand refresh",
    "Security review",
    "CRM rollout",
    "Operating model redesign",
    "Annual audit",
    "Tax restructuring",
    "Plant expansion design",
    "Customer journey mapping",
    "Managed IT services",
    "Reporting automation",
]
SCOPE = [
    "Discovery and requirements",
    "Design",
    "Build",
    "Testing and acceptance",
    "Training",
    "Go-live support",
    "Documentation",
]
CRITERIA = [
    "Go-live by the agreed date",
    "Month-end close in five days",
    "Adoption above 80%",
    "Cost per transaction down 15%",
    "Zero critical defects at launch",
]
DAY = dt.timedelta(days=1)


def build(ctx: DemoContext) -> None:
    staff = ctx.people[Role.STAFF] + ctx.people[Role.ACCOUNT_MANAGER]
    leads = ctx.people[Role.ACCOUNT_MANAGER] + ctx.people[Role.LEADER]
    entries: list[TimeEntry] = []
    for story, client in zip(ctx.stories, ctx.clients, strict=True):
        contacts = list(client.contacts.all())
        for start, end in _engagement_windows(ctx.rng, story):
            builder = _EngagementBuilder(ctx, story, client, contacts, start, end)
            builder.create(lead=ctx.rng.choice(leads), team=ctx.rng.sample(staff, 3))
            entries += builder.time_entries
        if len(entries) > 20_000:
            TimeEntry.objects.bulk_create(entries, batch_size=5000)
            entries = []
    TimeEntry.objects.bulk_create(entries, batch_size=5000)
    rollup.rebuild_workspace(ctx.workspace)  # the analytics roll-up of time


def _engagement_windows(rng: random.Random, story: ClientStory) -> list[tuple[dt.date, dt.date]]:
    """Back-to-back engagements with gaps; loyal clients come back more often."""
    end_of_story = story.lost_on or story.today + dt.timedelta(days=120)
    gap = (20, 60) if story.archetype == Archetype.LOYAL else (30, 150)
    windows, start = [], story.start + dt.timedelta(days=rng.randint(0, 20))
    while start < end_of_story - dt.timedelta(days=30):
        length = rng.randint(70, 200)
        end = min(start + dt.timedelta(days=length), end_of_story + dt.timedelta(days=60))
        windows.append((start, end))
        start = end + dt.timedelta(days=rng.randint(*gap))
    return windows


class _EngagementBuilder:
    def __init__(
        self,
        ctx: DemoContext,
        story: ClientStory,
        client: Client,
        contacts: list[Contact],
        start: dt.date,
        end: dt.date,
    ) -> None:
        self.ctx, self.rng, self.story, self.client = ctx, ctx.rng, story, client
        self.contacts, self.start, self.end = contacts, start, end
        self.today = ctx.today
        self.time_entries: list[TimeEntry] = []

    def q(self, day: dt.date) -> float:
        return self.story.quality(min(day, self.today))

    def create(self, *, lead: User, team: list[User]) -> None:
        rng = self.rng
        weeks = max(1, (self.end - self.start).days // 7)
        team_hours = [rng.choice([8, 12, 16, 20]) for _ in team]
        budget_hours = Decimal(sum(team_hours) * weeks)
        rate = Decimal(rng.choice([140, 160, 180, 210]))
        status = self._status()
        self.engagement = Engagement.objects.create(
            workspace=self.ctx.workspace,
            client=self.client,
            name=f"{rng.choice(PROJECTS)} {self.start.year}",
            type=rng.choice(["fixed_fee", "fixed_fee", "time_materials", "retainer"]),
            status=status,
            start_date=self.start,
            end_date=self.end,
            budget_hours=budget_hours,
            budget_amount=budget_hours * rate,
            currency=rng.choice(["EUR", "EUR", "GBP", "USD"]),
            lead=lead,
            kickoff_date=self.start,
            signed_off_by=self.contacts[0] if self.contacts else None,
            signed_off_on=self.start - dt.timedelta(days=rng.randint(3, 20)),
            activated_on=self.start if status != "proposed" else None,
            closed_on=min(self.end, self.story.lost_on or self.end)
            if status in ("closed", "cancelled")
            else None,
            external_id=f"PRJ-{self.client.pk:03d}-{self.start:%y%m}",
        )
        self._charter(lead)
        self.scope = [
            ScopeItem.objects.create(
                workspace=self.ctx.workspace, engagement=self.engagement, title=t
            )
            for t in rng.sample(SCOPE, 4)
        ]
        for person, hours in zip(team, team_hours, strict=True):
            Assignment.objects.create(
                workspace=self.ctx.workspace,
                engagement=self.engagement,
                person=person,
                weekly_hours=hours,
            )
        if status == "proposed":
            return
        self._milestones()
        self._change_requests()
        self._time(team, team_hours, rate)
        self._criteria_outcomes()

    def _status(self) -> str:
        if self.start > self.today:
            return "proposed"
        if self.story.lost_on and self.end >= self.story.lost_on:
            return "cancelled" if self.rng.random() < 0.5 else "closed"
        return "closed" if self.end < self.today else "active"

    def _charter(self, lead: User) -> None:
        ws, e = self.ctx.workspace, self.engagement
        Responsibility.objects.create(
            workspace=ws, engagement=e, side="firm", person=str(lead), role="Engagement lead"
        )
        if self.contacts:
            Responsibility.objects.create(
                workspace=ws,
                engagement=e,
                side="client",
                person=self.contacts[0].name,
                role="Sponsor",
            )
        for text in self.rng.sample(CRITERIA, 2):
            SuccessCriterion.objects.create(workspace=ws, engagement=e, description=text)

    def _milestones(self) -> None:
        rng, ws, e = self.rng, self.ctx.workspace, self.engagement
        span = (self.end - self.start).days
        count = max(2, span // 40)
        for n in range(1, count + 1):
            committed = self.start + dt.timedelta(days=span * n // count)
            buffer = rng.choice([0, 3, 5, 7])
            q = self.q(committed)
            late = rng.random() < (1 - q) * 1.3
            slip = (
                int(rng.expovariate(1 / (4 + 40 * (1 - q)))) + buffer + 1
                if late
                else rng.randint(-5, buffer)
            )
            delivered = committed + dt.timedelta(days=slip)
            done = delivered <= self.today
            m = Milestone.objects.create(
                workspace=ws,
                engagement=e,
                name=f"Milestone {n}: {self.rng.choice(SCOPE)}",
                committed_date=committed,
                buffer_days=buffer,
                status="delivered"
                if done
                else (
                    "in_progress" if committed < self.today + dt.timedelta(days=30) else "planned"
                ),
                delivered_on=delivered if done else None,
                forecast_date=delivered if late else None,
                recorded_at=_at(self.start),
            )
            if late and rng.random() < q:  # good service warns the client ahead of the miss
                sent = committed - dt.timedelta(days=rng.randint(2, 15))
                if sent <= self.today:
                    Notice.objects.create(
                        workspace=ws,
                        engagement=e,
                        milestone=m,
                        kind="slip",
                        sent_on=sent,
                        new_date=delivered,
                        message="We need more time for testing.",
                        recorded_at=_at(sent),
                    )
            if done:
                self._deliverable(m, delivered)

    def _deliverable(self, milestone: Milestone, delivered: dt.date) -> None:
        rng, ws = self.rng, self.ctx.workspace
        q = self.q(delivered)
        returned = rng.random() > q
        accepted = _past(delivered + dt.timedelta(days=12 if returned else 5), self.today)
        sent_back = _past(delivered + 3 * DAY, self.today) if returned else None
        status = "accepted" if accepted else ("returned" if sent_back else "in_review")
        d = Deliverable.objects.create(
            workspace=ws,
            engagement=self.engagement,
            milestone=milestone,
            name=milestone.name.split(": ")[-1] + " report",
            due_date=milestone.committed_date,
            submitted_on=delivered,
            status=status,
            accepted_on=accepted,
        )
        reviews = [("returned", sent_back), ("accepted", accepted)]
        for outcome, on in reviews:
            if on is not None:
                DeliverableReview.objects.create(
                    workspace=ws,
                    deliverable=d,
                    outcome=outcome,
                    reviewed_on=on,
                    reasons="Figures do not reconcile with our ledger."
                    if outcome == "returned"
                    else "",
                    recorded_at=_at(on),
                )
        if rng.random() < (1 - q) * 0.8:
            opened = delivered + dt.timedelta(days=rng.randint(2, 20))
            if opened <= self.today:
                QualityIssue.objects.create(
                    workspace=ws,
                    engagement=self.engagement,
                    deliverable=d,
                    title=rng.choice(
                        [
                            "Wrong totals in report",
                            "Broken data export",
                            "Missed regulatory change",
                            "Defects in release",
                        ]
                    ),
                    severity=rng.choices(["low", "medium", "high", "critical"], [3, 4, 3, 1])[0],
                    found_by="client" if rng.random() < 0.7 else "internal",
                    opened_on=opened,
                    resolved_on=_past(opened + dt.timedelta(days=rng.randint(2, 25)), self.today),
                    recorded_at=_at(opened),
                )

    def _change_requests(self) -> None:
        rng = self.rng
        self.approved: list[ChangeRequest] = []
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            submitted = self.start + dt.timedelta(
                days=rng.randint(10, max(11, (self.end - self.start).days - 10))
            )
            if submitted > self.today:
                continue
            approve = rng.random() < 0.75
            cr = ChangeRequest.objects.create(
                workspace=self.ctx.workspace,
                engagement=self.engagement,
                title=rng.choice(
                    [
                        "Extra reporting module",
                        "Additional site",
                        "Data migration of archive",
                        "Second training wave",
                    ]
                ),
                effort_hours=Decimal(rng.choice([24, 40, 80])),
                cost_impact=Decimal(rng.choice([4000, 7500, 12000])),
                schedule_impact_days=rng.choice([0, 7, 14]),
                status="approved" if approve else "rejected",
                submitted_on=submitted,
                decided_on=submitted + dt.timedelta(days=rng.randint(2, 10)),
                decided_by=self.contacts[0] if self.contacts else None,
            )
            if approve:
                self.approved.append(cr)

    def _time(self, team: list[User], team_hours: list[int], rate: Decimal) -> None:
        """One entry a person a week; poor service drifts onto unapproved scope."""
        rng, ws = self.rng, self.ctx.workspace
        day = self.start
        last = min(self.end, self.today, self.story.lost_on or self.end)
        cost_rates = {p.pk: Decimal(rng.choice([55, 70, 85, 100])) for p in team}
        while day <= last:
            creep_chance = max(0.0, 0.75 - self.q(day)) * 0.5
            for person, hours in zip(team, team_hours, strict=True):
                worked = Decimal(max(1, round(hours * rng.uniform(0.65, 1.15 + (1 - self.q(day))))))
                on_cr = self.approved and rng.random() < 0.15
                cr = rng.choice(self.approved) if on_cr else None
                if cr is not None and cr.decided_on and cr.decided_on > day:
                    cr = None
                creep = rng.random() < creep_chance
                logged = day + dt.timedelta(days=rng.choice([0, 0, 1, 2, 9]))
                self.time_entries.append(
                    TimeEntry(
                        workspace=ws,
                        engagement=self.engagement,
                        person=person,
                        person_name=str(person),
                        date=day,
                        hours=worked,
                        cost_rate=cost_rates[person.pk],
                        bill_rate=rate,
                        scope_item=None if (creep or cr) else rng.choice(self.scope),
                        change_request=cr,
                        note="Unplanned extra work requested informally" if creep else "",
                        recorded_at=_at(min(logged, self.today)),
                    )
                )
            day += dt.timedelta(days=7)

    def _criteria_outcomes(self) -> None:
        if self.engagement.status != "closed" or not self.engagement.closed_on:
            return
        q = self.q(self.engagement.closed_on)
        for criterion in self.engagement.success_criteria.all():
            criterion.met = self.rng.random() < q
            criterion.assessed_on = self.engagement.closed_on
            criterion.save(update_fields=["met", "assessed_on"])


def _past(day: dt.date, today: dt.date) -> dt.date | None:
    """A date that has happened by today, or None: the demo never records the future."""
    return day if day <= today else None


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=timezone.get_current_timezone())
