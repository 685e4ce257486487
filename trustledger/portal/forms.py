"""Forms of the portal; rules beyond a field's shape are the services' to check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trustledger.engagements.models import Engagement
from trustledger.portal.services import QUESTION_MAX


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(
        label="A note for the team",
        required=False,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _AboutEngagement(forms.Form):
    engagement = forms.ModelChoiceField(
        queryset=Engagement.objects.none(),
        required=False,
        empty_label="Not about one engagement",
        label="About",
    )

    def __init__(self, *args: Any, engagements: QuerySet[Engagement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["engagement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = engagements


class QuestionForm(_AboutEngagement):
    subject = forms.CharField(label="Subject", max_length=300)
    details = forms.CharField(
        label="Your question",
        required=False,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class FeedbackForm(_AboutEngagement):
    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        error_messages={"required": "Choose a score from 0 to 10."},
    )
    comment = forms.CharField(
        label="What should we keep doing, or do differently?",
        required=False,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ClientPortalForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Portal enabled for this client")


class InviteForm(forms.Form):
    contact = forms.IntegerField()


class ContactAccessForm(forms.Form):
    contact = forms.IntegerField()
    may_sign_in = forms.BooleanField(required=False)


class SharingForm(forms.Form):
    portal_shared = forms.BooleanField(required=False, label="Shared in the client portal")
    portal_shows_budget = forms.BooleanField(required=False, label="Show budget figures")
