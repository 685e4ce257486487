"""A "large firm" for the benchmarks: 2,000 clients, 10,000 engagements, 2,000,000 time entries
over three years (plus communications and survey answers once those sources exist).

Written with bulk inserts and plain random draws, not the demo simulation: it exists to measure
speed at scale, so it must itself be quick to build (about a minute on SQLite).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import connection, models, transaction

from trustledger.analytics.rollup import rebuild_workspace
from trustledger.clients.models import Client
from trustledger.communications.sla import store_response_hours
from trustledger.engagements.models import Engagement, Milestone, Notice, TimeEntry
from trustledger.imports.bulk import insert_rows
from trustledger.workspaces.models import Membership, Role, User, Workspace

BATCH = 20_000


@dataclass(frozen=True)
class Scale:
    clients: int = 2_000
    engagements_per_client: int = 5
    time_entries: int = 2_000_000
    milestones_per_engagement: int = 4
    years: int = 3


# Other sources (communications, feedback) add their facts here: fn(workspace, clients, rng, today).
EXTRA_FACTS: list[Callable[[Workspace, list[Client], random.Random, dt.date], None]] = []


def fast_insert(model: type[models.Model], rows: list[dict[str, object]]) -> None:
    """Insert plain rows with the importers' raw ``insert_rows``: the ORM's per-object work
    would dominate here. Values are adapted by each field as the ORM would, cached because they
    repeat (days, rates)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    cached = [functools.lru_cache(maxsize=65536)(partial(_prep, f)) for f in fields]

    def prep(i: int, value: object) -> object:
        try:
            return cached[i](value)
        except TypeError:  # unhashable (a JSON list): adapt without the cache
            return _prep(fields[i], value)

    values = [[prep(i, row[f.name]) for i, f in enumerate(fields)] for row in rows]
    insert_rows(model, [f.attname for f in fields], values)  # type: ignore[union-attr]


def _prep(field: models.Field, value: object) -> object:  # type: ignore[type-arg]
    return field.get_db_prep_save(value, connection)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=dt.UTC)


@transaction.atomic
def build_large_firm(today: dt.date, scale: Scale = Scale(), seed: int = 1) -> Workspace:
    rng = random.Random(seed)
    workspace = Workspace.objects.create(name="Large Firm", slug=f"large-{seed}-{rng.random():.6f}")
    people = User.objects.bulk_create(
        [
            User(email=f"person{i}@{workspace.slug}.example", full_name=f"Person {i}")
            for i in range(60)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(workspace=workspace, user=u, role=Role.ACCOUNT_MANAGER) for u in people]
    )
    start = today - dt.timedelta(days=365 * scale.years)
    clients = Client.objects.bulk_create(
        [
            Client(
                workspace=workspace,
                name=f"Client {i:05d}",
                account_manager=rng.choice(people),
                relationship_start=start + dt.timedelta(days=rng.randint(0, 300)),
                status="lost" if i % 10 == 0 else "active",
                lost_on=today - dt.timedelta(days=rng.randint(30, 500)) if i % 10 == 0 else None,
            )
            for i in range(scale.clients)
        ],
        batch_size=BATCH,
    )
    quality = {c.pk: rng.uniform(0.4, 0.95) for c in clients}
    engagements = _engagements(workspace, clients, scale, rng, today)
    _milestones(workspace, engagements, quality, scale, rng, today)
    _time(workspace, engagements, people, quality, scale, rng, today)
    rebuild_workspace(workspace)  # the analytics roll-up of time
    for extra in EXTRA_FACTS:
        extra(workspace, clients, rng, today)
    store_response_hours(workspace)  # as the demo: inquiries' stored business-hours responses
    return workspace


def _engagements(
    workspace: Workspace, clients: list[Client], scale: Scale, rng: random.Random, today: dt.date
) -> list[Engagement]:
    rows = []
    for client in clients:
        end_of_client = client.lost_on or today + dt.timedelta(days=90)
        span = max(60, (end_of_client - client.relationship_start).days)
        for k in range(scale.engagements_per_client):
            begin = client.relationship_start + dt.timedelta(
                days=span * k // scale.engagements_per_client
            )
            finish = begin + dt.timedelta(days=max(30, span // scale.engagements_per_client - 10))
            running = begin <= today <= finish
            rows.append(
                Engagement(
                    workspace=workspace,
                    client=client,
                    name=f"{client.name} project {k}",
                    type="fixed_fee",
                    status="active" if running else ("closed" if finish < today else "proposed"),
                    start_date=begin,
                    end_date=finish,
                    activated_on=begin if begin <= today else None,
                    closed_on=finish if finish < today else None,
                    budget_hours=Decimal(400),
                    budget_amount=Decimal(60_000),
                )
            )
    return Engagement.objects.bulk_create(rows, batch_size=BATCH)


def _milestones(
    workspace: Workspace,
    engagements: list[Engagement],
    quality: dict[int, float],
    scale: Scale,
    rng: random.Random,
    today: dt.date,
) -> None:
    milestones, notices = [], []
    for e in engagements:
        q = quality[e.client_id]
        span = (e.end_date - e.start_date).days
        for n in range(1, scale.milestones_per_engagement + 1):
            due = e.start_date + dt.timedelta(days=span * n // scale.milestones_per_engagement)
            late = rng.random() > q
            delivered = due + dt.timedelta(days=rng.randint(3, 30) if late else -rng.randint(0, 3))
            milestones.append(
                Milestone(
                    workspace=workspace,
                    engagement=e,
                    name=f"M{n}",
                    committed_date=due,
                    buffer_days=2,
                    delivered_on=delivered if delivered <= today else None,
                    status="delivered" if delivered <= today else "planned",
                    recorded_at=_at(e.start_date),
                )
            )
    milestones = Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    for m in milestones:
        if m.delivered_on and m.delivered_on > m.committed_date and rng.random() < 0.4:
            sent = m.committed_date - dt.timedelta(days=5)
            notices.append(
                Notice(
                    workspace=workspace,
                    engagement_id=m.engagement_id,
                    milestone=m,
                    kind="slip",
                    sent_on=sent,
                    new_date=m.delivered_on,
                    recorded_at=_at(sent),
                )
            )
    Notice.objects.bulk_create(notices, batch_size=BATCH)


def _time(
    workspace: Workspace,
    engagements: list[Engagement],
    people: list[User],
    quality: dict[int, float],
    scale: Scale,
    rng: random.Random,
    today: dt.date,
) -> None:
    started = [e for e in engagements if e.start_date <= today]
    per = scale.time_entries // len(started)
    batch: list[dict[str, object]] = []
    person_ids = [p.pk for p in people]
    for e in started:
        span = max(1, (min(e.end_date, today) - e.start_date).days)
        creep = 1 - quality[e.client_id]
        for _ in range(per):
            day = e.start_date + dt.timedelta(days=rng.randrange(span))
            batch.append(
                {
                    "workspace": workspace.pk,
                    "engagement": e.pk,
                    "person": rng.choice(person_ids),
                    "person_name": "",
                    "date": day,
                    "hours": Decimal(rng.choice((2, 4, 6, 8))),
                    "cost_rate": Decimal(80),
                    "bill_rate": Decimal(150),
                    "note": "" if rng.random() > creep * 0.3 else "extra",
                    "recorded_at": _at(day),
                }
            )
            if len(batch) >= BATCH:
                fast_insert(TimeEntry, batch)
                batch = []
    fast_insert(TimeEntry, batch)


def _communications(
    workspace: Workspace, clients: list[Client], rng: random.Random, today: dt.date
) -> None:
    """A plan per client, and 150,000 interactions and 150,000 inquiries over three years."""
    from trustledger.communications.models import CommunicationPlan, Inquiry, Interaction

    CommunicationPlan.objects.bulk_create(
        [
            CommunicationPlan(
                workspace=workspace,
                client=c,
                check_in_days=14,
                review_days=90,
                budget_update_days=30,
                starts_on=c.relationship_start,
            )
            for c in clients
        ],
        batch_size=BATCH,
    )
    per_client = 75
    interactions, inquiries = [], []
    for c in clients:
        span = max(1, ((c.lost_on or today) - c.relationship_start).days)
        for _ in range(per_client):
            at = _at(c.relationship_start + dt.timedelta(days=rng.randrange(span)))
            interactions.append(
                {
                    "workspace": workspace.pk,
                    "client": c.pk,
                    "source": "manual",
                    "source_key": "",
                    "thread_key": "",
                    "recorded_at": at,
                    "channel": "meeting",
                    "direction": "two_way",
                    "kind": rng.choice(
                        ("check_in", "check_in", "business_review", "budget_update", "other")
                    ),
                    "occurred_at": at,
                    "subject": "Check-in",
                    "summary": "",
                    "participants": [],
                }
            )
            received = _at(c.relationship_start + dt.timedelta(days=rng.randrange(span)))
            late = rng.random() < 0.2
            answered = received + dt.timedelta(
                hours=rng.uniform(30, 90) if late else rng.uniform(1, 20)
            )
            inquiries.append(
                {
                    "workspace": workspace.pk,
                    "client": c.pk,
                    "source": "manual",
                    "source_key": "",
                    "thread_key": "",
                    "recorded_at": received,
                    "channel": "email",
                    "priority": "normal",
                    "subject": "Question",
                    "received_at": received,
                    "sla_hours": Decimal(24),
                    "sla_due": received + dt.timedelta(hours=24),
                    "first_response_at": answered,
                    "response_recorded_at": answered,
                    "resolved_at": answered,
                }
            )
        if len(interactions) >= BATCH:
            fast_insert(Interaction, interactions)
            fast_insert(Inquiry, inquiries)
            interactions, inquiries = [], []
    fast_insert(Interaction, interactions)
    fast_insert(Inquiry, inquiries)


def _survey_answers(
    workspace: Workspace, clients: list[Client], rng: random.Random, today: dt.date
) -> None:
    """30,000 NPS answers with analysed comments, six a year per client for a sample."""
    from trustledger.feedback.models import SurveyResponse

    rows = []
    for n in range(30_000):
        c = clients[n % len(clients)]
        span = max(1, ((c.lost_on or today) - c.relationship_start).days)
        at = _at(c.relationship_start + dt.timedelta(days=rng.randrange(span)))
        score = rng.randint(0, 10)
        rows.append(
            {
                "workspace": workspace.pk,
                "client": c.pk,
                "respondent": "",
                "score": score,
                "comment": "",
                "extra_answers": {},
                "answered_at": at,
                "recorded_at": at,
                "source": "csv",
                "sentiment_label": "neutral",
                "sentiment_score": (score - 5) / 5,
                "theme": "other",
            }
        )
    fast_insert(SurveyResponse, rows)


EXTRA_FACTS.extend([_communications, _survey_answers])
