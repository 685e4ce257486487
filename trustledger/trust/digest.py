"""The daily alert digest: one e-mail per person with the unresolved alerts they own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from trustledger.trust.models import Alert, AlertDigest, AlertStatus


def send_alert_digests(today: dt.date | None = None, *, base_url: str | None = None) -> int:
    """E-mail each owner their open alerts once a day; returns how many e-mails were sent."""
    today = today or timezone.localdate()
    already = set(AlertDigest.objects.filter(sent_on=today).values_list("workspace_id", "user_id"))
    by_owner: dict[tuple[int, int], list[Alert]] = defaultdict(list)
    alerts = (
        Alert.objects.exclude(status=AlertStatus.RESOLVED)
        .filter(owner__isnull=False, owner__is_active=True)
        .select_related("client", "owner", "workspace")
        .order_by("status", "-created_at")
    )
    for alert in alerts:
        key = (alert.workspace_id, alert.owner_id)
        if key not in already:
            by_owner[key].append(alert)  # type: ignore[index]
    sent = 0
    for (workspace_id, user_id), items in by_owner.items():
        owner, workspace = items[0].owner, items[0].workspace
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
        with transaction.atomic():
            AlertDigest.objects.create(workspace_id=workspace_id, user_id=user_id, sent_on=today)
            send_mail(
                f"{len(items)} trust alert{'s' if len(items) > 1 else ''} in {workspace}",
                body,
                None,
                [owner.email],
            )
        sent += 1
    return sent
