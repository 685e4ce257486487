"""The client portal: contacts sign in by magic link and see what the firm shares with them.

What is shared is decided by the firm: the portal per client (``ClientPortal``), who of its
contacts may sign in (``ContactAccess``; everyone unless the firm says otherwise), and per
engagement (``Engagement.portal_shared`` and its toggles).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.workspaces.tenancy import WorkspaceScoped


class ClientPortal(WorkspaceScoped):
    """Whether a client's contacts may use the portal. No row: the portal is off."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="portal")
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Portal of {self.client} ({'on' if self.enabled else 'off'})"


class ContactAccess(WorkspaceScoped):
    """A contact's standing in the portal: barred or not, and when they last signed in.

    No row means the contact may sign in (all contacts of an enabled client, by default).
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="portal_access")
    may_sign_in = models.BooleanField(default=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "contact access"

    def __str__(self) -> str:
        return f"{self.contact} may{'' if self.may_sign_in else ' not'} sign in"


class MagicLink(WorkspaceScoped):
    """A single-use sign-in link. Only the SHA-256 of its token is stored: a copy of the database
    lets nobody sign in."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A firm member who sent it as an invitation; empty when the contact asked for it.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Sent by the firm (page or API, so perhaps by no person: an API key), not asked for.
    invitation = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "contact", "created_at"])]

    def __str__(self) -> str:
        return f"Sign-in link for {self.contact_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class SignInRequest(models.Model):
    """One request for a sign-in link, kept an hour for the rate limit (per e-mail and per IP).

    Not workspace-scoped on purpose: the limit must hold before, and whether or not, the address
    belongs to anyone. Keys are SHA-256 digests, so the table holds no addresses. It lives in the
    database so the limit holds across every web worker.
    """

    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… at {self.created_at:%H:%M}"
