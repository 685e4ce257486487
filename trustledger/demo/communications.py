"""Demo communication history, drawn from each client's simulated service quality.

Every client gets a plan (check-ins by tier, quarterly or half-yearly reviews, monthly budget
updates) and, over its whole relationship, the touches and questions of a real account: where
quality is high, check-ins happen and questions are answered well within the SLA; where it
falls, check-ins lapse, answers slow down past the SLA and promises slip, months before the
client leaves. SLA deadlines are counted on the firm's business calendar, as the live product
does. Everything is written with ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from trustledger.clients.models import Client, Contact
from trustledger.communications import sla
from trustledger.communications.models import (
    BusinessCalendar,
    Channel,
    Commitment,
    CommunicationPlan,
    Direction,
    EscalationContact,
    Holiday,
    Inquiry,
    Interaction,
    InteractionKind,
    PlanMember,
    Priority,
    Source,
)
from trustledger.demo.context import DemoContext
from trustledger.demo.simulation import ClientStory
from trustledger.scoring import businesstime as bt
from trustledger.workspaces.models import Role, User

DAY = dt.timedelta(days=1)
CHECK_IN_DAYS = {"key": 7, "growth": 14, "standard": 30}
REVIEW_DAYS = {"key": 91, "growth": 91, "standard": 182}
BUDGET_UPDATE_DAYS = 30
QUESTIONS = [
    "Can you send the updated timeline?",
    "Could you confirm the go-live date?",
    "What is the status of the data migration?",
    "Can we add a training session for the new team?",
    "Why is the March invoice higher than planned?",
    "Could you share the test results?",
    "When will the next release be ready?",
    "Can you walk us through the new report?",
    "Is the security review on track?",
    "Could you check the access rights for our auditors?",
]
PROMISES = [
    "Send the revised project plan",
    "Share the test report",
    "Confirm the resourcing for next quarter",
    "Fix the reconciliation difference",
    "Send the budget forecast",
    "Book the training dates",
    "Review the access rights",
]
CHANNELS = [(Channel.EMAIL, 70), (Channel.PHONE, 15), (Channel.MESSAGE, 10), (Channel.TICKET, 5)]
BATCH = 5000
TITLES: dict[str, str] = {
    InteractionKind.CHECK_IN: "Check-in",
    InteractionKind.BUSINESS_REVIEW: "Business review",
    InteractionKind.BUDGET_UPDATE: "Budget status update",
}


def _holidays(today: dt.date) -> list[dt.date]:
    days = []
    for year in range(today.year - 4, today.year + 2):
        days += [dt.date(year, 1, 1), dt.date(year, 12, 25), dt.date(year, 12, 26)]
    return days


@dataclass
class _Rows:
    interactions: list[Interaction] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)

    def flush(self, force: bool = False) -> None:
        if force or len(self.interactions) >= BATCH:
            Interaction.objects.bulk_create(self.interactions, batch_size=BATCH)
            Inquiry.objects.bulk_create(self.inquiries, batch_size=BATCH)
            Commitment.objects.bulk_create(self.commitments, batch_size=BATCH)
            self.interactions, self.inquiries, self.commitments = [], [], []


def build(ctx: DemoContext) -> None:
    ws = ctx.workspace
    holidays = _holidays(ctx.today)
    BusinessCalendar.objects.create(
        workspace=ws,
        time_zone=ws.time_zone,
        **{f"{d}_opens": dt.time(9) for d in BusinessCalendar.DAYS[:5]},
        **{f"{d}_closes": dt.time(17) for d in BusinessCalendar.DAYS[:5]},
    )
    Holiday.objects.bulk_create(
        Holiday(workspace=ws, date=d, name="Christmas" if d.month == 12 else "New Year's Day")
        for d in holidays
    )
    calendar = bt.BusinessCalendar.build(ws.time_zone, bt.OFFICE_HOURS, holidays)
    staff = ctx.people[Role.STAFF] + ctx.people[Role.ACCOUNT_MANAGER]
    leader = ctx.people[Role.LEADER][0]
    rows = _Rows()
    contacts: dict[int, list[Contact]] = {}
    for contact in Contact.objects.for_workspace(ws).order_by("pk"):
        contacts.setdefault(contact.client_id, []).append(contact)
    for story, client in zip(ctx.stories, ctx.clients, strict=True):
        history = _History(ctx, calendar, story, client, contacts.get(client.pk, []), rows)
        history.plan(team=ctx.rng.choice(staff), leader=leader)
        history.touches()
        history.inquiries()
        rows.flush()
    rows.flush(force=True)
    sla.store_response_hours(ws)  # the analytics read the stored business-hours responses


class _History:
    def __init__(
        self,
        ctx: DemoContext,
        calendar: bt.BusinessCalendar,
        story: ClientStory,
        client: Client,
        contacts: list[Contact],
        rows: _Rows,
    ) -> None:
        self.ctx, self.rng, self.calendar, self.story = ctx, ctx.rng, calendar, story
        self.client, self.contacts, self.rows = client, contacts, rows
        self.manager: User | None = client.account_manager
        self.end = min(story.lost_on or ctx.today, ctx.today)
        self.now = dt.datetime.combine(ctx.today, dt.time(12), tzinfo=dt.UTC)
        self.check_in_days = CHECK_IN_DAYS.get(client.tier, 30)
        self.review_days = REVIEW_DAYS.get(client.tier, 182)

    def q(self, day: dt.date) -> float:
        return self.story.quality(min(day, self.ctx.today))

    def _at(self, day: dt.date, hour: float) -> dt.datetime:
        start = dt.datetime.combine(day, dt.time(0), tzinfo=self.calendar.zone)
        return start + dt.timedelta(hours=hour)

    def _contact(self) -> Contact | None:
        return self.rng.choice(self.contacts) if self.contacts else None

    def plan(self, *, team: User, leader: User) -> None:
        ws, start = self.ctx.workspace, self.story.start
        plan = CommunicationPlan.objects.create(
            workspace=ws,
            client=self.client,
            preferred_channels=["meeting", "email"] if self.client.tier == "key" else ["email"],
            check_in_days=self.check_in_days,
            review_days=self.review_days,
            budget_update_days=BUDGET_UPDATE_DAYS,
            starts_on=start,
            created_at=self._at(start, 9),
            updated_at=self._at(start, 9),
        )
        people = [(self.manager, "Account manager"), (team, "Engagement lead")]
        PlanMember.objects.bulk_create(
            PlanMember(workspace=ws, plan=plan, person=p, role=role)
            for p, role in {p: r for p, r in people if p is not None}.items()
        )
        steps = [EscalationContact(workspace=ws, plan=plan, level=2, person=leader)]
        if self.contacts:
            steps.append(
                EscalationContact(workspace=ws, plan=plan, level=1, contact=self.contacts[0])
            )
        EscalationContact.objects.bulk_create(steps)

    # touches: check-ins, reviews, budget updates, with the promises made in them

    def touches(self) -> None:
        for kind, every, channel in (
            (InteractionKind.CHECK_IN, self.check_in_days, Channel.MEETING),
            (InteractionKind.BUSINESS_REVIEW, self.review_days, Channel.MEETING),
            (InteractionKind.BUDGET_UPDATE, BUDGET_UPDATE_DAYS, Channel.EMAIL),
        ):
            day = self.story.start + dt.timedelta(days=self.rng.randint(1, every))
            while day <= self.end:
                if self.rng.random() < self._held(self.q(day)):
                    jitter = self.rng.randint(-every // 10, every // 10)
                    self._touch(kind, channel, day + dt.timedelta(days=jitter))
                day += dt.timedelta(days=every)

    @staticmethod
    def _held(q: float) -> float:
        """Good service keeps to the plan; as quality falls, touches lapse."""
        return min(0.97, max(0.05, 1.2 * q - 0.12))

    def _touch(self, kind: str, channel: str, day: dt.date) -> None:
        day -= dt.timedelta(days=max(0, day.weekday() - 4))  # a weekend's touch moves to Friday
        if not self.story.start <= day <= self.end:
            return
        when = self._at(day, self.rng.choice([9.5, 10, 11, 14, 15.5]))
        if when > self.now:
            return
        contact = self._contact()
        late = self.rng.random() < (1 - self.q(day)) * 0.5  # logged a few days later
        title = TITLES[kind]
        interaction = Interaction(
            workspace=self.ctx.workspace,
            client=self.client,
            source=Source.DEMO,
            channel=channel,
            direction=Direction.OUTBOUND if channel == Channel.EMAIL else Direction.TWO_WAY,
            kind=kind,
            occurred_at=when,
            duration_minutes=None if channel == Channel.EMAIL else self.rng.choice([30, 45, 60]),
            subject=f"{title} with {self.client.name}",
            participants=[contact.email] if contact else [],
            contact=contact,
            person=self.manager,
            recorded_at=when + dt.timedelta(days=self.rng.randint(1, 4) if late else 0, hours=1),
        )
        self.rows.interactions.append(interaction)
        if kind != InteractionKind.BUDGET_UPDATE and self.rng.random() < 0.3:
            self._promise(day, when)

    def _promise(self, day: dt.date, when: dt.datetime) -> None:
        q = self.q(day)
        due = day + dt.timedelta(days=self.rng.randint(3, 14))
        outcome = self.rng.random()
        done = broken = None
        if outcome < 0.15 + 0.8 * q:
            done = due - dt.timedelta(days=self.rng.randint(0, 2))
        elif outcome < 0.9:
            done = due + dt.timedelta(days=self.rng.randint(2, 20))
        else:
            broken = due + dt.timedelta(days=self.rng.randint(1, 10))
        settled = done or broken
        if settled is not None and settled > self.ctx.today:
            done = broken = settled = None
        self.rows.commitments.append(
            Commitment(
                workspace=self.ctx.workspace,
                client=self.client,
                description=self.rng.choice(PROMISES),
                owner=self.manager,
                made_on=day,
                due_on=due,
                done_on=max(done, day) if done else None,
                broken_on=broken,
                recorded_at=when,
                settled_at=self._at(settled, 17) if settled else None,
            )
        )

    # inquiries and their answers

    def inquiries(self) -> None:
        per_week = 1.2 if self.client.tier == "key" else 0.7
        day = self.story.start
        while day <= self.end:
            if day.weekday() < 5 and self.rng.random() < per_week / 5:
                self._inquiry(day)
            day += DAY

    def _inquiry(self, day: dt.date) -> None:
        rng, q = self.rng, self.q(day)
        hour = rng.uniform(8, 18) if rng.random() < 0.85 else rng.uniform(18, 23)
        received = self._at(day, hour)
        if received > self.now:
            return
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        priority = rng.choice([Priority.NORMAL, Priority.NORMAL, Priority.HIGH, Priority.LOW])
        hours = sla.DEFAULT_SLA_HOURS[sla.sla_key(channel, priority)]
        due = sla.sla_due(self.calendar, received, hours)
        # Median answer as a share of the SLA: a fifth when served well, beyond it when not.
        median = float(hours) * (0.15 + 1.6 * (1 - q) ** 1.5)
        delay = rng.lognormvariate(math.log(median), 0.7)
        if rng.random() < (1 - q) * 0.06:  # forgotten: answered only after a chaser, if at all
            delay *= rng.uniform(4, 12)
        answered: dt.datetime | None = self.calendar.add(received, dt.timedelta(hours=delay))
        if answered is not None and answered > self.now:
            answered = None
        resolved = answered + dt.timedelta(hours=rng.uniform(1, 72)) if answered else None
        if resolved is not None and resolved > self.now:
            resolved = None
        contact = self._contact()
        subject = rng.choice(QUESTIONS)
        key = f"demo:{self.client.pk}:{received.isoformat()}"
        message = None
        if channel == Channel.EMAIL:
            message = Interaction(
                workspace=self.ctx.workspace,
                client=self.client,
                source=Source.DEMO,
                source_key=key,
                thread_key=key,
                channel=channel,
                direction=Direction.INBOUND,
                occurred_at=received,
                subject=subject,
                contact=contact,
                recorded_at=received,
                participants=[contact.email] if contact else [],
            )
            self.rows.interactions.append(message)
            if answered is not None:
                self.rows.interactions.append(
                    Interaction(
                        workspace=self.ctx.workspace,
                        client=self.client,
                        source=Source.DEMO,
                        source_key=key + ":reply",
                        thread_key=key,
                        channel=channel,
                        direction=Direction.OUTBOUND,
                        occurred_at=answered,
                        subject=f"Re: {subject}",
                        contact=contact,
                        person=self.manager,
                        recorded_at=answered,
                    )
                )
        self.rows.inquiries.append(
            Inquiry(
                workspace=self.ctx.workspace,
                client=self.client,
                contact=contact,
                source=Source.DEMO,
                source_key=key,
                thread_key=key if message else "",
                channel=channel,
                priority=priority,
                subject=subject,
                received_at=received,
                sla_hours=Decimal(hours),
                sla_due=due,
                first_response_at=answered,
                first_response_by=self.manager if answered else None,
                response_recorded_at=answered,
                resolved_at=resolved,
                recorded_at=received,
                interaction=message,
            )
        )
