"""The demo-firm generator: a seeded, reproducible professional-services firm.

``PARTS`` runs in order; each capability adds its own module with a ``build(ctx)`` that reads the
simulated stories in ``ctx`` and writes its facts. Later parts may rely on earlier ones.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from trustledger.demo import (
    clients,
    communications,
    engagements,
    feedback,
    money,
    people,
    recovery,
    relationships,
    transparency,
    trust,
)
from trustledger.demo.context import DemoContext
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import create_workspace

DEMO_SLUG = "demo"
DEMO_NAME = "Brightpath Consulting"
PARTS: list[Callable[[DemoContext], None]] = [
    people.build,
    clients.build,
    engagements.build,
    money.build,  # rates for the currencies the engagements use
    communications.build,
    feedback.build,
]
# Parts that read the trust index (alerts, snapshots) run after it is built.
AFTER_TRUST: list[Callable[[DemoContext], None]] = [
    relationships.build,
    recovery.build,
    transparency.build,
]


@transaction.atomic
def generate_demo_firm(
    *, seed: int = 7, today: dt.date | None = None, slug: str = DEMO_SLUG, owner: User | None = None
) -> Workspace:
    """Create the demo workspace with its whole history; the same seed gives the same firm."""
    if owner is None:
        owner = User.objects.filter(email=people.DEMO_EMAIL).first() or User.objects.create_user(
            people.DEMO_EMAIL, people.DEMO_PASSWORD, full_name="Dana Demo"
        )
    workspace = create_workspace(DEMO_NAME, owner=owner, slug=slug)
    ctx = DemoContext(
        workspace=workspace,
        owner=owner,
        rng=random.Random(seed),
        today=today or timezone.localdate(),
    )
    for part in PARTS:
        part(ctx)
    trust.build(ctx)  # the index reads what every part wrote
    for part in AFTER_TRUST:
        part(ctx)
    return workspace


def demo_workspace() -> Workspace | None:
    return Workspace.objects.filter(slug=DEMO_SLUG).first()
