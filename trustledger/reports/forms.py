"""Forms of the status report pages: the narrative, and the recipients chosen when sending."""

from __future__ import annotations

from typing import Any

from django import forms

from trustledger.clients.models import Client, Contact
from trustledger.reports.services import MAX_NARRATIVE, MAX_TITLE


class NarrativeForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE)
    narrative = forms.CharField(
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Drafted from the figures: correct it, add context. A blank line starts a "
        "paragraph.",
    )
    wide = ("title", "narrative")


class RecipientsForm(forms.Form):
    recipients: forms.ModelMultipleChoiceField[Contact] = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),  # the client's contacts, set below
        widget=forms.CheckboxSelectMultiple,
        label="Send to",
        error_messages={"required": "Choose at least one contact to send the report to."},
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipients"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = client.contacts.order_by("-is_primary", "name")
        field.label_from_instance = _label  # type: ignore[method-assign,assignment]


def _label(contact: Contact) -> str:
    return f"{contact.name} <{contact.email}>" + (f" · {contact.role}" if contact.role else "")
