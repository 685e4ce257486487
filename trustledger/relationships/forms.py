"""Forms of the relationship pages; rules beyond a field's shape are the services' to check."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms

from trustledger.relationships.models import (
    MAX_MONTHS,
    BusinessReview,
    GoalStatus,
    HealthCheck,
    ReviewStatus,
    TierRoutine,
)
from trustledger.relationships.questions import ANSWER_LABELS, AREA_LABELS, GROUPS, QUESTIONS
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.selectors import people_of

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINES_HELP = "One per line."


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RoutineForm(forms.ModelForm[TierRoutine]):
    class Meta:
        model = TierRoutine
        fields = ["health_check_months", "review_months", "account_manager_required"]
        widgets = {
            "health_check_months": forms.NumberInput(attrs={"min": 1, "max": MAX_MONTHS}),
            "review_months": forms.NumberInput(attrs={"min": 1, "max": MAX_MONTHS}),
        }


class HealthCheckForm(forms.Form):
    """The check's date, reviewer and summary, then for each question an answer and notes."""

    held_on = forms.DateField(widget=DAY, label="Date of the check")
    reviewer: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Reviewed by"
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20_000,
        help_text="What stands out, and what you will do about it.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = people_of(workspace)  # type: ignore[attr-defined]
        choices = [("", "Not assessed"), *((str(k), v) for k, v in ANSWER_LABELS.items())]
        for q in QUESTIONS:
            self.fields[f"q_{q.key}"] = forms.TypedChoiceField(
                label=q.text,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"n_{q.key}"] = forms.CharField(
                label="Notes",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @classmethod
    def initial_for(cls, check: HealthCheck) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "held_on": check.held_on,
            "reviewer": check.reviewer_id,
            "summary": check.summary,
        }
        for a in check.answers.all():
            initial[f"q_{a.question}"] = a.answer
            initial[f"n_{a.question}"] = a.notes
        return initial

    def groups(self) -> Iterator[tuple[str, list[tuple[str, list[tuple[Any, Any]]]]]]:
        """(group name, [(area label, [(answer field, notes field)])]) in the form's order."""
        for name, areas in GROUPS:
            rows = []
            for area in areas:
                fields = [
                    (self[f"q_{q.key}"], self[f"n_{q.key}"]) for q in QUESTIONS if q.area == area
                ]
                rows.append((AREA_LABELS[area], fields))
            yield name, rows

    def answers(self) -> dict[str, tuple[int | None, str]]:
        data = self.cleaned_data
        return {q.key: (data.get(f"q_{q.key}"), data.get(f"n_{q.key}", "")) for q in QUESTIONS}

    def check_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "reviewer": data["reviewer"],
            "summary": data["summary"],
        }


class BusinessReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ReviewStatus.HELD, "Held"), (ReviewStatus.PLANNED, "Planned")],
        widget=forms.RadioSelect,
        initial=ReviewStatus.HELD,
        help_text="Recording a held review also logs it as a business-review meeting.",
    )
    held_on = forms.DateField(widget=DAY, label="Date")
    led_by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Led by"
    )
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=LINES_HELP
    )
    agenda = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=LINES_HELP
    )
    next_steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=LINES_HELP
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000
    )
    currency = forms.CharField(
        max_length=3, min_length=3, initial="EUR", help_text="Of the amounts of value delivered."
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["led_by"].queryset = people_of(workspace)  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, review: BusinessReview, items: dict[str, list[Any]]) -> dict[str, Any]:
        return {
            "status": review.status,
            "held_on": review.held_on,
            "led_by": review.led_by_id,
            "attendees": "\n".join(review.attendees),
            "agenda": "\n".join(i.text for i in items["agenda"]),
            "next_steps": "\n".join(i.text for i in items["next_step"]),
            "summary": review.summary,
            "currency": review.currency,
        }

    def review_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "held_on": data["held_on"],
            "led_by": data["led_by"],
            "attendees": _lines(data["attendees"]),
            "agenda": _lines(data["agenda"]),
            "next_steps": _lines(data["next_steps"]),
            "summary": data["summary"],
            "currency": data["currency"],
        }


class GoalForm(forms.Form):
    text = forms.CharField(label="Goal", max_length=500, required=False)
    goal_status = forms.ChoiceField(
        label="Status", choices=GoalStatus.choices, initial=GoalStatus.ON_TRACK
    )


class ValueForm(forms.Form):
    text = forms.CharField(label="Value delivered", max_length=500, required=False)
    amount = forms.DecimalField(
        label="Amount", required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )


GoalFormSet = forms.formset_factory(GoalForm, extra=2, max_num=30, absolute_max=30)
ValueFormSet = forms.formset_factory(ValueForm, extra=2, max_num=30, absolute_max=30)


def goals_of(formset: Any) -> list[tuple[str, str]]:
    return [
        (f.cleaned_data["text"], f.cleaned_data["goal_status"])
        for f in formset
        if f.cleaned_data.get("text")
    ]


def values_of(formset: Any) -> list[tuple[str, Decimal | None]]:
    return [
        (f.cleaned_data["text"], f.cleaned_data.get("amount"))
        for f in formset
        if f.cleaned_data.get("text")
    ]
