"""What the fault tests set up inside an installation (run by ``Installation.call``).

Plain services, as the product itself does it; each function returns something JSON can carry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

OWNER = "owner@fault.example"
PASSWORD = "a-long-test-password"


def firm(clients: int) -> dict[str, Any]:
    """A workspace with an owner (who can sign in) and ``clients`` clients, one contact each."""
    from trustledger.clients.models import Contact
    from trustledger.clients.services import create_client
    from trustledger.workspaces.models import User
    from trustledger.workspaces.services import create_workspace

    owner = User.objects.create_user(OWNER, PASSWORD, full_name="Olive Owner")
    workspace = create_workspace("Fault Firm", owner=owner)
    start = timezone.localdate() - dt.timedelta(days=400)
    for n in range(clients):
        client = create_client(
            workspace, by=owner, name=f"Client {n:03d}", relationship_start=start
        )
        Contact.objects.create(
            workspace=workspace,
            client=client,
            name=f"Contact {n:03d}",
            email=f"contact{n:03d}@client.example",
            is_primary=True,
        )
    return {"workspace": workspace.pk, "owner": owner.pk}


def launch_campaign() -> int:
    """An NPS campaign to every client, launched now: one invitation (and task) per contact."""
    from trustledger.feedback import services
    from trustledger.workspaces.models import User, Workspace

    workspace = Workspace.objects.get()
    owner = User.objects.get(email=OWNER)
    campaign = services.create_campaign(
        workspace, by=owner, name="Autumn NPS", starts_on=timezone.localdate()
    )
    return len(services.launch_campaign(campaign, by=owner))


def queue_mail(count: int) -> list[str]:
    """``count`` e-mails in the outbox, each with its own key."""
    from django.core.mail import EmailMessage

    from trustledger.core.outbox import tag
    from trustledger.workspaces.models import Workspace

    workspace = Workspace.objects.get()
    keys = [f"fault-test:{n}" for n in range(count)]
    for n, key in enumerate(keys):
        message = EmailMessage(f"Message {n}", "Hello", to=[f"person{n}@client.example"])
        tag(message, key=key, workspace_id=workspace.pk).send()
    return keys


def recompute_everyone(times: int) -> int:
    """Enqueue ``times`` recomputes of every client, as a burst of changes would."""
    from trustledger.clients.models import Client
    from trustledger.trust.tasks import recompute_clients_task
    from trustledger.workspaces.models import Workspace

    workspace = Workspace.objects.get()
    ids = list(Client.objects.filter(workspace=workspace).values_list("pk", flat=True))
    for _ in range(times):
        for pk in ids:
            recompute_clients_task.enqueue(workspace.pk, [pk])
    return times * len(ids)


def busy_firm() -> dict[str, Any]:
    """A firm where every periodic job has work: alerts with owners (digests), a recurring survey
    due today, budget updates due (drafts), an overdue recovery action, clients to snapshot."""
    from tests.communications.factories import PlanFactory
    from tests.engagements.factories import EngagementFactory
    from trustledger.clients.models import Client
    from trustledger.feedback import services as surveys
    from trustledger.recovery import services as recovery
    from trustledger.trust.models import Alert
    from trustledger.workspaces.models import User, Workspace

    workspace = Workspace.objects.get()
    owner = User.objects.get(email=OWNER)
    today = timezone.localdate()
    clients = list(Client.objects.filter(workspace=workspace).order_by("pk"))
    for client in clients:
        client.account_manager = owner
        client.save(update_fields=["account_manager"])
        Alert.objects.create(
            workspace=workspace,
            client=client,
            cause="band_drop",
            detail="Dropped from healthy to watch.",
            suggested_step="Call the sponsor.",
            evidence_date=today,
            owner=owner,
        )
        PlanFactory(client=client, budget_update_days=30, starts_on=today - dt.timedelta(days=100))
        EngagementFactory(
            client=client,
            status="active",
            start_date=today - dt.timedelta(days=90),
            end_date=today + dt.timedelta(days=90),
        )
    plan = recovery.open_plan(
        clients[0], by=owner, trigger="A missed deadline", opened_on=today - dt.timedelta(days=5)
    )
    recovery.add_action(plan, by=owner, title="Call", due_on=today - dt.timedelta(days=3))
    campaign = surveys.create_campaign(
        workspace, by=owner, name="Quarterly NPS", starts_on=today, schedule="recurring"
    )
    surveys.launch_campaign(campaign, by=owner)
    return {"clients": len(clients)}


def firm_grows(name: str) -> int:
    """One more client in the firm ``firm`` made, recorded as the product records it."""
    from trustledger.clients.services import create_client
    from trustledger.workspaces.models import User, Workspace

    owner = User.objects.get(email=OWNER)
    client = create_client(Workspace.objects.get(), by=owner, name=name)
    return int(client.pk)
