"""Demo clients, contacts and referrals, shaped by each client's simulated story."""

from __future__ import annotations

import datetime as dt

from trustledger.clients.models import Client, ClientStatus, Contact, Referral, Tier
from trustledger.demo.context import DemoContext
from trustledger.demo.names import (
    COMPANY_FIRST,
    CONTACT_ROLES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    LOST_REASONS,
)
from trustledger.demo.simulation import Archetype, simulate_stories
from trustledger.workspaces.models import Role

CLIENT_COUNT = 48


def build(ctx: DemoContext) -> None:
    ctx.stories = simulate_stories(ctx.rng, ctx.today, CLIENT_COUNT)
    managers = ctx.people[Role.ACCOUNT_MANAGER] + ctx.people[Role.LEADER][:1]
    first_words = ctx.rng.sample(COMPANY_FIRST, CLIENT_COUNT)
    industries = list(INDUSTRIES)
    for story, first in zip(ctx.stories, first_words, strict=True):
        industry = ctx.rng.choice(industries)
        tier = _tier(ctx, story.archetype)
        client = Client.objects.create(
            workspace=ctx.workspace,
            name=f"{first} {ctx.rng.choice(INDUSTRIES[industry])}",
            industry=industry,
            tier=tier,
            account_manager=ctx.rng.choice(managers),
            relationship_start=story.start,
            status=ClientStatus.LOST if story.lost_on else ClientStatus.ACTIVE,
            lost_on=story.lost_on,
            lost_reason=ctx.rng.choice(LOST_REASONS) if story.lost_on else "",
            external_id=f"CRM-{1000 + story.index}",
        )
        ctx.clients.append(client)
        _add_contacts(ctx, client)
    _add_referrals(ctx)


def _tier(ctx: DemoContext, archetype: Archetype) -> str:
    weights = [2, 3, 5] if archetype == Archetype.LOYAL else [1, 3, 6]
    return ctx.rng.choices([Tier.KEY, Tier.GROWTH, Tier.STANDARD], weights)[0]


def _add_contacts(ctx: DemoContext, client: Client) -> None:
    domain = client.name.lower().replace(" ", "").replace("&", "").replace(".", "") + ".example"
    used: set[str] = set()
    for n in range(ctx.rng.randint(1, 4)):
        first, last = ctx.rng.choice(FIRST_NAMES), ctx.rng.choice(LAST_NAMES)
        email = f"{first}.{last}@{domain}".lower()
        if email in used:
            continue
        used.add(email)
        Contact.objects.create(
            workspace=ctx.workspace,
            client=client,
            name=f"{first} {last}",
            email=email,
            role=ctx.rng.choice(CONTACT_ROLES),
            is_primary=n == 0,
            survey_opt_out=ctx.rng.random() < 0.05,
        )


def _add_referrals(ctx: DemoContext) -> None:
    """Clients served well for a while recommend the firm to clients who start later."""
    pairs = list(zip(ctx.stories, ctx.clients, strict=True))
    for story, client in pairs:
        for other_story, other in pairs:
            gap = (other_story.start - story.start).days
            well_served = story.quality(other_story.start) > 0.82
            if (
                other is not client
                and gap > 120
                and story.active_on(other_story.start)
                and well_served
                and ctx.rng.random() < 0.06
                and not Referral.objects.filter(referred=other).exists()
            ):
                Referral.objects.create(
                    workspace=ctx.workspace,
                    referrer=client,
                    referred=other,
                    referred_on=other_story.start - dt.timedelta(days=ctx.rng.randint(10, 60)),
                    note="Introduced us after a successful project.",
                )
