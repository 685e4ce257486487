"""Recovery plans in the demo firm: some that worked, some that did not.

Read from the simulation, never invented: a plan opens where a client's simulated quality fell
to its low point; it "worked" when quality has since come back (the plan is closed as recovered,
and the real index and NPS before and after show it), it failed when the client left (closed as
lost on the day it left). Clients eroding today get open plans, a few with overdue actions and a
missed update, which the recovery check turns into alerts. Root causes are drawn from a short
list per erosion factor, so the same causes recur across plans as they do in real firms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.demo.context import DemoContext
from trustledger.demo.simulation import ClientStory
from trustledger.recovery import services
from trustledger.recovery.alerting import check_recovery_alerts
from trustledger.recovery.models import RecoveryPlan
from trustledger.trust.models import Alert, AlertStatus, TrustSnapshot
from trustledger.workspaces.models import Role, User

WORKED, FAILED, ONGOING = 4, 3, 4
SNAPSHOT_DAYS = 26 * 7  # the demo index goes back half a year

# (problem, whys, root cause, fishbone category, erosion factor, action, goal)
CAUSES = [
    (
        "The go-live milestone slipped by two weeks",
        [
            ("Why did it slip?", "Testing started late"),
            ("Why did testing start late?", "The test environment was not ready"),
            ("Why was it not ready?", "Nobody books environments at kickoff"),
        ],
        "Environments are not booked at kickoff",
        "process",
        "on_time",
        "Add environment booking to the kickoff checklist",
        ("Milestones delivered by their committed date", "3 of the next 3"),
    ),
    (
        "The client learned of the overrun from the invoice",
        [
            ("Why did they not hear earlier?", "The burn was not reviewed weekly"),
            ("Why not?", "The project lead had no budget report"),
            ("Why not?", "Budget reports are set up only on request"),
        ],
        "Budget reports are not part of the standard set-up",
        "tools",
        "no_surprises",
        "Send a budget status every fortnight",
        ("Budget updates sent on time", "every 14 days"),
    ),
    (
        "Questions waited days for an answer",
        [
            ("Why did they wait?", "They went to one person's inbox"),
            ("Why one inbox?", "No shared channel was agreed"),
            ("Why not agreed?", "The communication plan was skipped at kickoff"),
        ],
        "No agreed channel or response time for client questions",
        "communication",
        "responsiveness",
        "Agree a shared channel and a one-day answer time",
        ("Questions answered within one business day", "95%"),
    ),
    (
        "The second deliverable was sent back twice",
        [
            ("Why was it sent back?", "It missed requirements the client had stated"),
            ("Why were they missed?", "The junior team never saw the requirements workshop notes"),
            ("Why not?", "Hand-over between seniors and juniors is informal"),
        ],
        "Informal hand-over from the senior team to delivery",
        "people",
        "quality",
        "Hold a recorded hand-over with a requirements checklist",
        ("Deliverables accepted at first review", "2 of the next 2"),
    ),
    (
        "Extra work started without a change request",
        [
            ("Why was it started?", "The client asked the team directly"),
            ("Why did the team agree?", "They did not know the scope boundary"),
            ("Why not?", "The statement of work is not shared with the team"),
        ],
        "The team does not know the agreed scope",
        "scope",
        "scope_control",
        "Share the scope summary with the whole team",
        ("Hours on unapproved scope", "0"),
    ),
]
LESSONS = {
    "recovered": "Owning the miss in the first meeting and weekly updates rebuilt trust faster "
    "than any fix alone. Keep the kickoff checklist.",
    "lost": "We acknowledged too late: by the first meeting the client had already decided. "
    "Act on the first alert, not the third.",
}


@dataclass(frozen=True)
class Pick:
    client: Client
    story: ClientStory
    opened_on: dt.date


def _low_point(story: ClientStory, first: dt.date, last: dt.date) -> tuple[dt.date, float]:
    days = [first + dt.timedelta(days=d) for d in range(0, (last - first).days + 1, 7)]
    day = min(days, key=story.quality)
    return day, story.quality(day)


def _eroded_on(ctx: DemoContext, client: Client, day: dt.date) -> bool:
    """Whether the index showed the erosion then (a firm opens a plan on a signal, not a hunch)."""
    snap = (
        TrustSnapshot.objects.for_workspace(ctx.workspace)
        .filter(client=client, as_of__lte=day)
        .order_by("-as_of")
        .first()
    )
    return snap is not None and snap.band in ("watch", "at_risk")


def _picks(ctx: DemoContext) -> tuple[list[Pick], list[Pick], list[Pick]]:
    """Clients whose quality fell and came back; who left within the index's history; who are
    eroding now. Each list is in the stories' order, so the same seed picks the same clients."""
    earliest = ctx.today - dt.timedelta(days=SNAPSHOT_DAYS - 14)
    worked, failed, ongoing = [], [], []
    for client, story in zip(ctx.clients, ctx.stories, strict=True):
        if story.lost_on is not None:
            if earliest + dt.timedelta(days=60) <= story.lost_on <= ctx.today:
                low_start = max(earliest, story.lost_on - dt.timedelta(days=120))
                opened, _ = _low_point(story, low_start, story.lost_on - dt.timedelta(days=45))
                failed.append(Pick(client, story, opened))
            continue
        if not story.active_on(earliest):
            continue
        opened, low = _low_point(story, earliest, ctx.today - dt.timedelta(days=75))
        now = story.quality(ctx.today)
        if low < 0.72 and now - low >= 0.06 and _eroded_on(ctx, client, opened):
            worked.append(Pick(client, story, opened))
        elif now < 0.65:
            ongoing.append(
                Pick(client, story, ctx.today - dt.timedelta(days=ctx.rng.randint(18, 40)))
            )
    return worked[:WORKED], failed[:FAILED], ongoing[:ONGOING]


def _alert_for(ctx: DemoContext, client: Client) -> Alert | None:
    return (
        Alert.objects.for_workspace(ctx.workspace)
        .filter(client=client)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("-created_at")
        .first()
    )


def _owner(ctx: DemoContext, client: Client) -> User:
    return client.account_manager or ctx.people[Role.LEADER][0]


def _day(ctx: DemoContext, day: dt.date) -> dt.date:
    return min(day, ctx.today)


def _work_the_plan(
    ctx: DemoContext, pick: Pick, *, until: dt.date, cause_ids: list[int], overdue: bool = False
) -> RecoveryPlan:
    client, owner = pick.client, _owner(ctx, pick.client)
    rng, opened = ctx.rng, pick.opened_on
    alert = _alert_for(ctx, client) if until == ctx.today else None
    weakest = ""
    if alert is None:
        snap = (
            TrustSnapshot.objects.for_workspace(ctx.workspace)
            .filter(client=client, as_of__lte=opened)
            .order_by("-as_of")
            .first()
        )
        weakest = f" (trust index {snap.index:.0f})" if snap and snap.index is not None else ""
    plan = services.open_plan(
        client,
        by=owner,
        alert=alert,
        trigger="" if alert else f"Two escalations from the sponsor in a month{weakest}.",
        title=f"Rebuild trust with {client.name}",
        opened_on=opened,
        update_every_days=rng.choice([7, 7, 14]),
    )
    held = _day(ctx, opened + dt.timedelta(days=rng.randint(2, 6)))
    contacts = list(client.contacts.all()[:2])
    services.acknowledge(
        plan,
        by=owner,
        meeting_scheduled_on=held,
        meeting_held_on=held,
        people=[owner],
        contacts=contacts,
        responsibility_taken=True,
        responsibility_wording="We missed what we promised and did not tell you early. "
        "That is on us, and here is how we will fix it.",
        notes="The sponsor wants weekly updates and one named contact.",
    )
    for index in cause_ids:
        problem, whys, cause, category, factor, action, goal = CAUSES[index]
        chain = services.add_chain(plan, by=owner, problem=problem, steps=whys)
        root = services.add_cause(
            plan,
            by=owner,
            description=cause,
            category=category,
            factor=factor,
            chain=chain,
            detail="Seen in the project's retrospective.",
        )
        due = held + dt.timedelta(days=rng.randint(10, 30))
        if overdue and index == cause_ids[-1]:  # slipped: due a few days ago, still open
            due = ctx.today - dt.timedelta(days=rng.randint(2, 6))
        act = services.add_action(plan, by=owner, title=action, due_on=due, cause=root)
        # the analysis happened days after the meeting, not on the day the demo is generated
        analysed = timezone.make_aware(
            dt.datetime.combine(_day(ctx, held + dt.timedelta(days=rng.randint(1, 4))), dt.time(15))
        )
        for part in (chain, root, act):
            type(part).objects.filter(pk=part.pk).update(created_at=analysed)
        if due < until and not (overdue and index == cause_ids[-1]):
            services.update_action(
                act,
                by=owner,
                status="done",
                done_on=_day(ctx, due - dt.timedelta(days=rng.randint(0, 4))),
            )
        services.add_goal(plan, by=owner, measure=goal[0], target=goal[1])
    every = plan.update_every_days
    day = held + dt.timedelta(days=every)
    last = until - dt.timedelta(days=every + 3) if overdue else until
    n = 0
    while day <= last:
        n += 1
        services.send_update(
            plan,
            by=owner,
            sent_on=day,
            shared_in_portal=n % 2 == 1,
            summary=f"Update {n}: what we did, what comes next, and where the goals stand.",
        )
        if n == 2:
            services.record_win(
                plan, by=owner, on=day, what="A deliverable accepted at first review", shared=True
            )
        day += dt.timedelta(days=every)
    return plan


def build(ctx: DemoContext) -> None:
    """Runs after the trust index is built (it reads alerts and snapshots)."""
    worked, failed, ongoing = _picks(ctx)
    rng = ctx.rng
    for i, pick in enumerate(worked):
        close_on = _day(ctx, pick.opened_on + dt.timedelta(days=rng.randint(60, 90)))
        plan = _work_the_plan(ctx, pick, until=close_on, cause_ids=[i % 3, 3 if i % 2 else 4])
        outcome = "recovered" if (pick.story.quality(close_on) >= 0.72) else "partially"
        services.close_plan(
            plan, by=plan.owner, outcome=outcome, lessons=LESSONS["recovered"], closed_on=close_on
        )
    for i, pick in enumerate(failed):
        lost_on = pick.story.lost_on or ctx.today
        plan = _work_the_plan(ctx, pick, until=lost_on, cause_ids=[(i + 1) % 3])
        services.close_plan(
            plan, by=plan.owner, outcome="lost", lessons=LESSONS["lost"], closed_on=lost_on
        )
    for i, pick in enumerate(ongoing):
        _work_the_plan(ctx, pick, until=ctx.today, cause_ids=[i % 3], overdue=i % 2 == 0)
    check_recovery_alerts(ctx.workspace, today=ctx.today)
