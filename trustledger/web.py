"""Small helpers every page view shares: the current workspace and person, domain errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError


def request_workspace(request: HttpRequest) -> Workspace:
    workspace: Workspace | None = getattr(request, "workspace", None)
    if workspace is None:
        raise PermissionDenied("You are not a member of any workspace.")
    return workspace


def acting_user(request: HttpRequest) -> User:
    user: Any = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
