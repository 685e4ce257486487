"""Charter changes that ``services`` does not cover yet: roles and responsibilities.

Same shape as the services: keyword-only options, one transaction, an audit entry.
"""

from __future__ import annotations

from django.db import transaction

from trustledger.engagements.models import Engagement, Responsibility, Side
from trustledger.workspaces.models import User
from trustledger.workspaces.services import DomainError, record_audit


@transaction.atomic
def add_responsibility(
    engagement: Engagement, *, side: str, person: str, role: str, by: User | None
) -> Responsibility:
    """Record who does what on either side of the engagement."""
    if side not in Side.values:
        raise DomainError("Choose our firm or the client.", field="side")
    if not person.strip():
        raise DomainError("Name the person.", field="person")
    responsibility = Responsibility.objects.create(
        workspace=engagement.workspace,
        engagement=engagement,
        side=side,
        person=person.strip(),
        role=role.strip(),
    )
    record_audit(engagement.workspace, by, "responsibility.added", responsibility)
    return responsibility
