from __future__ import annotations

from django import forms

from trustledger.core.events import EVENT_TYPES
from trustledger.webhooks.models import Format


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who receives it, e.g. “CRM sync”.")
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="An http:// or https:// address that accepts a POST.",
    )
    events = forms.MultipleChoiceField(
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these events are sent.",
    )
    format = forms.ChoiceField(
        label="Message format",
        choices=Format.choices,
        initial=Format.STANDARD,
        widget=forms.RadioSelect,
        help_text="Slack-compatible messages also suit Mattermost and Rocket.Chat channels.",
    )


class WebhookSettingsForm(forms.Form):
    allow_private_targets = forms.BooleanField(
        required=False,
        label="Allow loopback and private-network addresses",
        help_text="Only for a receiver inside your own network (or tests): it lets a webhook "
        "reach addresses the internet cannot.",
    )
