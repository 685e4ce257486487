"""The demo firm's people: an owner (the demo login), leaders, account managers and staff."""

from __future__ import annotations

from trustledger.demo.context import DemoContext
from trustledger.demo.names import FIRST_NAMES, LAST_NAMES
from trustledger.workspaces.models import Membership, Role, User

DEMO_EMAIL = "demo@trustledger.local"
DEMO_PASSWORD = "trust-the-demo"
STAFF_SHAPE = [(Role.LEADER, 2), (Role.ACCOUNT_MANAGER, 5), (Role.STAFF, 8)]


def build(ctx: DemoContext) -> None:
    owner = ctx.owner
    ctx.people[Role.OWNER] = [owner]
    names = ctx.rng.sample([f"{f} {ln}" for f in FIRST_NAMES for ln in LAST_NAMES], 20)
    domain = ctx.workspace.slug.replace("-", "") + ".example"
    for role, count in STAFF_SHAPE:
        ctx.people[role] = []
        for _ in range(count):
            name = names.pop()
            email = f"{name.lower().replace(' ', '.')}@{domain}"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, None, full_name=name
            )
            Membership.objects.create(
                workspace=ctx.workspace,
                user=user,
                role=role,
                weekly_capacity_hours=ctx.rng.choice([32, 37.5, 40, 40]),
            )
            ctx.people[role].append(user)
