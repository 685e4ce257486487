"""State changes for workspaces, people and API keys; each one transaction, each audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from trustledger.workspaces.models import (
    ApiKey,
    ApiKeyScope,
    AuditEntry,
    Membership,
    Role,
    User,
    Workspace,
)

API_KEY_PREFIX = "tl"
# Recording every API call's time would turn reads into writes; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


class DomainError(Exception):
    """A change the rules do not allow; views and the API turn it into a 4xx with its message."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def record_audit(
    workspace: Workspace,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    *,
    actor_label: str = "",
) -> AuditEntry:
    """Record who did ``action`` (e.g. ``client.created``) to which object, with what changes."""
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )


def diff_fields(obj: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply ``data`` to ``obj`` and return ``{field: [old, new]}`` for what really changed."""
    changes: dict[str, list[Any]] = {}
    for name, new in data.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(obj, name, new)
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@transaction.atomic
def create_workspace(name: str, *, owner: User, slug: str = "") -> Workspace:
    base = slugify(slug or name)[:50] or "workspace"
    candidate, n = base, 1
    while Workspace.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    workspace = Workspace.objects.create(name=name, slug=candidate)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    record_audit(workspace, owner, "workspace.created", workspace)
    return workspace


@transaction.atomic
def add_member(
    workspace: Workspace, *, email: str, role: Role, by: User | None, full_name: str = ""
) -> Membership:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:  # a new person sets a password through the reset e-mail
        user = User.objects.create_user(email.strip(), None, full_name=full_name)
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        return change_member_role(membership, role=role, by=by)
    if created:
        record_audit(workspace, by, "membership.created", membership, {"role": [None, role]})
    return membership


def invite_member(
    workspace: Workspace,
    *,
    email: str,
    role: Role,
    by: User | None,
    base_url: str,
    full_name: str = "",
) -> Membership:
    """Add a person (the members page and the API); a new person gets the set-password e-mail."""
    membership = add_member(workspace, email=email, role=role, by=by, full_name=full_name)
    if not membership.user.has_usable_password():
        send_invitation(membership, base_url=base_url)
    return membership


def _refuse_losing_the_last_owner(membership: Membership) -> None:
    others = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.OWNER)
    if membership.role == Role.OWNER and not others.exclude(pk=membership.pk).exists():
        raise DomainError("A workspace keeps at least one owner.", field="role")


@transaction.atomic
def change_member_role(membership: Membership, *, role: Role, by: User | None) -> Membership:
    """Give a member another role; the last owner keeps theirs."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != Role.OWNER:
        _refuse_losing_the_last_owner(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_audit(
        membership.workspace, by, "membership.role_changed", membership, {"role": [old, role]}
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, by: User | None) -> None:
    """Take a person out of the workspace (their past work stays); never the last owner."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _refuse_losing_the_last_owner(membership)
    record_audit(
        membership.workspace,
        by,
        "membership.removed",
        membership,
        {"role": [membership.role, None]},
    )
    membership.delete()


def send_invitation(membership: Membership, *, base_url: str) -> None:
    """E-mail a new member a single-use, expiring link to choose their password.

    Django's reset form skips people without a usable password, which is exactly who is new here.
    """
    user = membership.user
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    body = render_to_string(
        "registration/invitation_email.txt",
        {
            "link": base_url.rstrip("/") + path,
            "email": user.email,
            "workspace": membership.workspace,
        },
    )
    send_mail(f"Your access to {membership.workspace} on Trustledger", body, None, [user.email])


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_key(
    workspace: Workspace, *, name: str, scope: ApiKeyScope, by: User | None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and never shown again."""
    if not name.strip():
        raise DomainError("Give the key a name so you can recognise it later.", field="name")
    prefix = secrets.token_hex(4)
    raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        workspace=workspace,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash_key(raw),
        scope=scope,
        created_by=by,
    )
    record_audit(workspace, by, "api_key.created", key, {"scope": [None, scope]})
    return key, raw


@transaction.atomic
def revoke_api_key(key: ApiKey, *, by: User | None) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record_audit(key.workspace, by, "api_key.revoked", key)


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The active key matching ``raw`` (recording its use), or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = (
        ApiKey.objects.select_related("workspace")
        .filter(prefix=parts[1], key_hash=_hash_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
