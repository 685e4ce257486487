"""Forms of the recovery pages: shapes only; the rules are the services' to check."""

from __future__ import annotations

from typing import Any

from django import forms

from trustledger.clients.models import Client, Contact
from trustledger.recovery.models import (
    FACTOR_CHOICES,
    ActionStatus,
    Fishbone,
    Outcome,
    RecoveryPlan,
    RootCause,
    WhyChain,
)
from trustledger.recovery.services import MAX_CADENCE_DAYS, UPDATE_CHANNELS
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.selectors import people_of

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT = forms.Textarea(attrs={"rows": 2})
TRI = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _people(workspace: Workspace, *, required: bool = False, label: str = "Owner") -> Any:
    return forms.ModelChoiceField(
        queryset=people_of(workspace), required=required, label=label, empty_label="—"
    )


class OpenPlanForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    title = forms.CharField(
        max_length=200, required=False, help_text="Empty: “Rebuild trust with …”"
    )
    trigger = forms.CharField(
        max_length=500,
        required=False,
        widget=SHORT,
        help_text="What happened. Opened from an alert, the alert's detail is used if empty.",
    )
    owner = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    update_every_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_CADENCE_DAYS,
        initial=7,
        label="Update the client every (days)",
    )

    def __init__(self, *args: Any, workspace: Workspace, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        self.fields["owner"] = _people(workspace)
        self.fields["owner"].help_text = "Empty: the client's account manager."


class PlanSettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    trigger = forms.CharField(max_length=500, widget=SHORT)
    owner = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    update_every_days = forms.IntegerField(
        min_value=1, max_value=MAX_CADENCE_DAYS, label="Update the client every (days)"
    )
    shared_with_client = forms.BooleanField(
        required=False, label="Show this plan in the client portal"
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _people(workspace)


class AcknowledgeForm(forms.Form):
    meeting_scheduled_on = forms.DateField(
        widget=DAY, required=False, label="Meeting scheduled for"
    )
    meeting_held_on = forms.DateField(widget=DAY, required=False, label="Meeting held on")
    people = forms.ModelMultipleChoiceField(
        queryset=Client.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Our people who attended",
    )
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Client contacts who attended",
    )
    responsibility_taken = forms.TypedChoiceField(
        choices=TRI,
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        label="Responsibility taken",
    )
    responsibility_wording = forms.CharField(
        required=False, widget=SHORT, label="In the words used", max_length=2000
    )
    notes = forms.CharField(required=False, widget=SHORT, max_length=5000)

    def __init__(self, *args: Any, plan: RecoveryPlan, **kwargs: Any) -> None:
        if not kwargs.get("initial"):
            taken = plan.responsibility_taken
            kwargs["initial"] = {
                "meeting_scheduled_on": plan.meeting_scheduled_on,
                "meeting_held_on": plan.meeting_held_on,
                "people": [a.person_id for a in plan.attendees.all() if a.person_id],
                "contacts": [a.contact_id for a in plan.attendees.all() if a.contact_id],
                "responsibility_taken": "" if taken is None else "yes" if taken else "no",
                "responsibility_wording": plan.responsibility_wording,
                "notes": plan.acknowledge_notes,
            }
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people_of(plan.workspace)  # type: ignore[attr-defined]
        self.fields["contacts"].queryset = plan.client.contacts.all()  # type: ignore[attr-defined]


class ChainForm(forms.Form):
    problem = forms.CharField(max_length=300, label="Problem")
    why = forms.CharField(max_length=300, label="Why? (first)", required=False)
    answer = forms.CharField(max_length=500, label="Because", required=False)


class WhyForm(forms.Form):
    why = forms.CharField(max_length=300, label="Why?")
    answer = forms.CharField(max_length=500, label="Because")


class CauseForm(forms.Form):
    description = forms.CharField(max_length=300, label="Root cause")
    category = forms.ChoiceField(choices=[("", "—"), *Fishbone.choices], label="Fishbone category")
    factor = forms.ChoiceField(choices=[("", "—"), *FACTOR_CHOICES], label="Erosion factor")
    detail = forms.CharField(
        required=False,
        widget=SHORT,
        label="Internal detail",
        help_text="Never shown to the client.",
    )
    chain = forms.ModelChoiceField(
        queryset=WhyChain.objects.none(), required=False, label="Ends the why chain"
    )

    def __init__(self, *args: Any, plan: RecoveryPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = plan.chains.filter(  # type: ignore[attr-defined]
            root_cause__isnull=True
        )


class ActionForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    owner = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    due_on = forms.DateField(widget=DAY, label="Due on")
    cause = forms.ModelChoiceField(
        queryset=RootCause.objects.none(), required=False, label="Addresses"
    )

    def __init__(self, *args: Any, plan: RecoveryPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _people(plan.workspace)
        self.fields["owner"].help_text = "Empty: the plan's owner."
        self.fields["cause"].queryset = plan.causes.all()  # type: ignore[attr-defined]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class GoalForm(forms.Form):
    measure = forms.CharField(max_length=200)
    target = forms.CharField(max_length=100)
    current = forms.CharField(max_length=100, required=False, label="Now")


class GoalProgressForm(forms.Form):
    current = forms.CharField(max_length=100, required=False, label="Now")
    met = forms.TypedChoiceField(
        choices=[("", "Not yet assessed"), ("yes", "Met"), ("no", "Not met")],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )


class UpdateForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="What the client was told"
    )
    sent_on = forms.DateField(
        widget=DAY, required=False, label="Sent on", help_text="Empty: today."
    )
    channel = forms.ChoiceField(
        choices=[(c.value, c.label) for c in UPDATE_CHANNELS], initial="email"
    )
    shared_in_portal = forms.BooleanField(required=False, label="Share in the client portal")


class WinForm(forms.Form):
    what = forms.CharField(max_length=300, label="Small win")
    on = forms.DateField(widget=DAY, required=False, label="On", help_text="Empty: today.")
    shared = forms.BooleanField(required=False, label="Share in the client portal")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices])
    closed_on = forms.DateField(
        widget=DAY, required=False, label="Closed on", help_text="Empty: today."
    )
    lessons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, label="Lessons learned"
    )
