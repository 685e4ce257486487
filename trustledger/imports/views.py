"""The upload page: choose what the file is, send it, see what was imported or every bad row."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trustledger.imports.errors import ImportFailed
from trustledger.imports.forms import ImportForm
from trustledger.imports.registry import importers
from trustledger.imports.services import import_upload
from trustledger.web import acting_user, request_workspace
from trustledger.workspaces.permissions import Action, can, role_required


@role_required(Action.MANAGE_CLIENTS)
def upload(request: HttpRequest) -> HttpResponse:
    """Imports run while the page waits: fine for an export of a few years; a multi-million-row
    history loads faster from the command line (``trustledger import``)."""
    workspace = request_workspace(request)
    # ?kind= preselects what the file is (the currency settings page links to its importer)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")}
    )
    context: dict[str, Any] = {"form": form, "importers": importers()}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            context["result"] = import_upload(
                workspace,
                data["kind"],
                data["file"],
                mapping=data["mapping"],
                dry_run=data["dry_run"],
                by=acting_user(request),
                may_override=can(getattr(request, "membership", None), Action.OVERRIDE),
            )
        except ImportFailed as failure:
            context["failure"] = failure
    return render(request, "imports/upload.html", context)
