"""The daily alert digest: one e-mail per person with the unresolved alerts they own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string

from trustledger.core.outbox import tag
from trustledger.trust.models import Alert, AlertDigest, AlertStatus, SnapshotKind, TrustSnapshot
from trustledger.workspaces.models import Workspace


def _current_trust() -> dict[str, Subquery]:
    """Each alert's client's current index and band, as its trust page shows them."""
    current = TrustSnapshot.objects.filter(client=OuterRef("client"), kind=SnapshotKind.CURRENT)
    return {
        "trust_index": Subquery(current.values("index")[:1]),
        "trust_band": Subquery(current.values("band")[:1]),
    }


def send_alert_digests(workspace: Workspace, today: dt.date, *, base_url: str | None = None) -> int:
    """E-mail each owner in ``workspace`` their open alerts, once a day; returns how many.

    The digest's record and its e-mail (an outbox row) are written in one transaction, so a
    retried job neither skips nor repeats anyone.
    """
    already = set(
        AlertDigest.objects.for_workspace(workspace)
        .filter(sent_on=today)
        .values_list("user_id", flat=True)
    )
    by_owner: dict[int, list[Alert]] = defaultdict(list)
    alerts = (
        Alert.objects.for_workspace(workspace)
        .exclude(status=AlertStatus.RESOLVED)
        .filter(owner__isnull=False, owner__is_active=True)
        .select_related("client", "owner")
        .annotate(**_current_trust())
        .order_by("status", "-created_at")
    )
    for alert in alerts:
        if alert.owner_id not in already:
            by_owner[alert.owner_id].append(alert)  # type: ignore[index]
    for user_id, items in by_owner.items():
        owner = items[0].owner
        assert owner is not None
        body = render_to_string(
            "trust/digest_email.txt",
            {
                "owner": owner,
                "workspace": workspace,
                "alerts": items,
                "base_url": (base_url or settings.BASE_URL).rstrip("/"),
            },
        )
        message = EmailMessage(
            f"{len(items)} trust alert{'s' if len(items) > 1 else ''} in {workspace}",
            body,
            to=[owner.email],
        )
        with transaction.atomic():
            AlertDigest.objects.create(workspace=workspace, user_id=user_id, sent_on=today)
            tag(
                message,
                key=f"alert-digest:{workspace.pk}:{user_id}:{today}",
                workspace_id=workspace.pk,
            ).send()
    return len(by_owner)
