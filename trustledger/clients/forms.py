from __future__ import annotations

from typing import Any

from django import forms

from trustledger.clients.models import Client, ClientStatus, Contact, Referral
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.selectors import people_of


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = [
            "name",
            "industry",
            "tier",
            "account_manager",
            "relationship_start",
            "status",
            "lost_on",
            "lost_reason",
            "external_id",
        ]
        widgets = {
            "relationship_start": forms.DateInput(attrs={"type": "date"}),
            "lost_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"lost_on": "Required when the status is Lost."}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = people_of(workspace)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ClientStatus.LOST and not data.get("lost_on"):
            self.add_error("lost_on", "Say when the client was lost.")
        return data

    def validate_unique(self) -> None:
        """Uniqueness is the service's rule (with a clear message); skip the generic check."""


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = ["name", "email", "role", "is_primary", "survey_opt_out"]
        labels = {"survey_opt_out": "Never send surveys to this contact"}

    def validate_unique(self) -> None:
        """The service checks e-mail uniqueness across the workspace with a clear message."""


class ReferralForm(forms.ModelForm[Referral]):
    class Meta:
        model = Referral
        fields = ["referred", "referred_on", "note"]
        labels = {"referred": "Referred client", "referred_on": "Date"}
        widgets = {"referred_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, referrer: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referred"].queryset = (  # type: ignore[attr-defined]
            Client.objects.for_workspace(referrer.workspace).exclude(pk=referrer.pk)
        )

    def validate_unique(self) -> None:
        """Checked by the service."""
