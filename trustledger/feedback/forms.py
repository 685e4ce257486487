from __future__ import annotations

from typing import Any

from django import forms

from trustledger.clients.models import Client, Tier
from trustledger.feedback.models import (
    DEFAULT_REASON_QUESTION,
    DEFAULT_RECOMMENDATION_QUESTION,
    MAX_EXTRA_QUESTIONS,
    Schedule,
    SurveyCampaign,
    SurveySettings,
)
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.selectors import people_of


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError("Remove the NUL character from this text.")
    return value.strip()


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="For you, e.g. “Relationship NPS”.")
    recommendation_question = forms.CharField(
        max_length=300, initial=DEFAULT_RECOMMENDATION_QUESTION, label="The 0-10 question"
    )
    reason_question = forms.CharField(
        max_length=300, initial=DEFAULT_REASON_QUESTION, label="The open “why” question"
    )
    extra_questions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Extra open questions (optional)",
        help_text=f"One per line, at most {MAX_EXTRA_QUESTIONS}.",
    )
    audience_tiers = forms.MultipleChoiceField(
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tiers",
        help_text="Contacts of every client in these tiers.",
    )
    audience_clients = forms.ModelMultipleChoiceField(
        queryset=Client.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        label="Clients",
        help_text="And of these clients. Choose neither tiers nor clients to ask every client.",
    )
    schedule = forms.ChoiceField(choices=Schedule.choices, widget=forms.RadioSelect)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First send")
    interval_months = forms.IntegerField(
        min_value=1,
        max_value=24,
        initial=6,
        label="Every (months)",
        help_text="For a recurring campaign. Relationship NPS is usually twice a year.",
    )
    delay_days = forms.IntegerField(
        min_value=0,
        max_value=90,
        initial=7,
        label="Days after an engagement closes",
        help_text="For a campaign after each engagement.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["audience_clients"]
        field.queryset = Client.objects.for_workspace(workspace).filter(status="active")  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, campaign: SurveyCampaign, clients: list[Client]) -> dict[str, Any]:
        return {
            "name": campaign.name,
            "recommendation_question": campaign.recommendation_question,
            "reason_question": campaign.reason_question,
            "extra_questions": "\n".join(campaign.questions),
            "audience_tiers": campaign.audience_tiers,
            "audience_clients": clients,
            "schedule": campaign.schedule,
            "starts_on": campaign.starts_on,
            "interval_months": campaign.interval_months,
            "delay_days": campaign.delay_days,
        }

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data["name"])

    def clean_recommendation_question(self) -> str:
        return _no_nul(self.cleaned_data["recommendation_question"])

    def clean_reason_question(self) -> str:
        return _no_nul(self.cleaned_data["reason_question"])

    def clean_extra_questions(self) -> list[str]:
        lines = [_no_nul(line) for line in self.cleaned_data["extra_questions"].splitlines()]
        questions = [line[:300] for line in lines if line]
        if len(questions) > MAX_EXTRA_QUESTIONS:
            raise forms.ValidationError(f"At most {MAX_EXTRA_QUESTIONS} extra questions.")
        return questions


class SurveySettingsForm(forms.ModelForm[SurveySettings]):
    class Meta:
        model = SurveySettings
        fields = [
            "throttle_days",
            "reminder_after_days",
            "link_valid_days",
            "follow_up_business_days",
        ]
        help_texts = {
            "throttle_days": "Across all campaigns: a contact invited or answering within this "
            "many days is left out of the next send.",
            "follow_up_business_days": "Monday to Friday; public holidays are not counted out.",
        }

    def validate_constraints(self, exclude: Any = None) -> None:
        """The service checks the reminder against the expiry, with a message by the field."""


class AnswerForm(forms.Form):
    """The public survey: the 0-10 answer, the reason, and the campaign's extra questions."""

    score = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        error_messages={"required": "Choose a number from 0 to 10."},
    )
    comment = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for n, question in enumerate(questions):
            self.fields[f"extra_{n}"] = forms.CharField(
                required=False, max_length=2000, label=question
            )

    def clean_comment(self) -> str:
        return _no_nul(self.cleaned_data["comment"])

    def extra_answers(self) -> dict[str, str]:
        answers = {}
        for n, question in enumerate(self.questions):
            text = _no_nul(self.cleaned_data.get(f"extra_{n}", ""))
            if text:
                answers[question] = text
        return answers

    def extra_fields(self) -> list[forms.BoundField]:
        return [self[f"extra_{n}"] for n in range(len(self.questions))]


class FollowUpForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_of(workspace)  # type: ignore[attr-defined]


class CloseFollowUpForm(forms.Form):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What the client told you and what you agreed.",
    )
    done_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        label="Done on",
        help_text="Leave empty for today.",
    )

    def clean_outcome(self) -> str:
        return _no_nul(self.cleaned_data["outcome"])
