"""Forms of the engagement pages. They parse input; the rules live in the services, whose refusals
the views show next to the field they name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.engagements.models import (
    ChangeRequest,
    ChangeRequestStatus,
    Deliverable,
    Engagement,
    EngagementStatus,
    FoundBy,
    Milestone,
    NoticeKind,
    ReviewOutcome,
    ScopeItem,
    Severity,
    Side,
)
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.selectors import people_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNAPPROVED = ""
HOURS = {"step": "0.25", "min": "0"}


def date_field(
    label: str, *, required: bool = True, initial: Any = None, help_text: str = ""
) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DATE, initial=initial, help_text=help_text
    )


def today() -> dt.date:
    """Today in the workspace's time zone (pages run with it active)."""
    return timezone.localdate()


class ClaimedDates:
    """A form whose ``claimed`` date fields say when something already happened: their date
    picker stops at today, as the services do (a day after today is refused)."""

    claimed: tuple[str, ...] = ("on",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name in self.claimed:
            fields[name].widget.attrs["max"] = today().isoformat()


class EngagementForm(forms.ModelForm[Engagement]):
    """Create (with a client to choose) or edit an engagement; the status has its own actions."""

    class Meta:
        model = Engagement
        fields = [
            "client",
            "name",
            "type",
            "start_date",
            "end_date",
            "budget_hours",
            "budget_amount",
            "currency",
            "lead",
            "kickoff_date",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "kickoff_date": DATE}
        labels = {"budget_amount": "Budget (money)", "lead": "Engagement lead"}
        help_texts = {
            "currency": "Three letters, e.g. EUR, USD, GBP.",
            "kickoff_date": "The charter's kick-off meeting, when it is set.",
        }

    def __init__(self, *args: Any, workspace: Workspace, with_client: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = people_of(workspace)  # type: ignore[attr-defined]
        if with_client:
            self.fields["client"].queryset = Client.objects.for_workspace(workspace)  # type: ignore[attr-defined]
        else:
            del self.fields["client"]

    def clean_currency(self) -> str:
        code = str(self.cleaned_data["currency"]).strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise forms.ValidationError("Use the three-letter code, e.g. EUR.")
        return code

    def validate_constraints(self, exclude: Any = None) -> None:
        """Dates are the service's rule, shown next to the end date."""

    def validate_unique(self) -> None:
        """Nothing unique to check; the service has the rules."""


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=EngagementStatus.choices)
    override_reason = forms.CharField(
        label="Why start without the client's sign-off?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only leaders and owners can start work before the charter is signed off; "
        "the reason is kept in the audit log.",
    )


class ScopeItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResponsibilityForm(forms.Form):
    side = forms.ChoiceField(choices=Side.choices, widget=forms.RadioSelect, initial=Side.FIRM)
    person = forms.CharField(max_length=200)
    role = forms.CharField(max_length=200, help_text="What they are responsible for.")


class SignOffForm(ClaimedDates, forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Signed off by")
    on = date_field(
        "Signed off on", initial=today, help_text="The work can start from this day on, not before."
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = client.contacts.all()  # type: ignore[attr-defined]


class CriterionForm(forms.Form):
    description = forms.CharField(max_length=300, label="Success criterion")
    target = forms.CharField(max_length=200, required=False, help_text="e.g. 80% adoption")


class AssessForm(ClaimedDates, forms.Form):
    met = forms.TypedChoiceField(
        label="Was it met?",
        choices=[("yes", "Met"), ("no", "Not met")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on = date_field("Assessed on", initial=today)


class AssignmentForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none())
    weekly_hours = forms.DecimalField(
        min_value=0,
        max_digits=5,
        decimal_places=1,
        label="Hours a week",
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_of(workspace)  # type: ignore[attr-defined]


class MilestoneForm(forms.Form):
    name = forms.CharField(max_length=200)
    committed_date = date_field("Committed date")
    buffer_days = forms.IntegerField(
        min_value=0, initial=0, label="Buffer (days)", help_text="Planned slack after the date."
    )


class DeliverForm(ClaimedDates, forms.Form):
    on = date_field(
        "Delivered on",
        initial=today,
        help_text="The trust index knows of the delivery from when you record it.",
    )


class DeliverableForm(forms.Form):
    name = forms.CharField(max_length=200)
    milestone = forms.ModelChoiceField(queryset=Milestone.objects.none(), required=False)
    due_date = date_field("Due date")

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = engagement.milestones.all()  # type: ignore[attr-defined]


class SubmitForm(ClaimedDates, forms.Form):
    on = date_field("Sent on", initial=today)


class ReviewForm(ClaimedDates, forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices, widget=forms.RadioSelect, label="The client's verdict"
    )
    on = date_field("Reviewed on", initial=today)
    reasons = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when it was sent back.",
    )


class TimeEntryForm(forms.Form):
    wide = ("work", "note")  # laid out across the whole form

    person = forms.ModelChoiceField(queryset=User.objects.none())
    date = date_field("Date", initial=today)
    hours = forms.DecimalField(
        max_digits=6, decimal_places=2, widget=forms.NumberInput(attrs=HOURS)
    )
    work = forms.ChoiceField(
        label="Work on",
        required=False,
        help_text="Work on nothing agreed (no scope item, no approved change request) is "
        "unapproved scope: scope creep, shown as such on the budget.",
    )
    cost_rate = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, initial=0)
    bill_rate = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, initial=0)
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_of(engagement.workspace)  # type: ignore[attr-defined]
        scope = [(f"s{i.pk}", i.title) for i in engagement.scope_items.all()]
        changes = [
            (f"c{cr.pk}", f"{cr.title} ({cr.get_status_display().lower()})")
            for cr in engagement.change_requests.exclude(status=ChangeRequestStatus.WITHDRAWN)
        ]
        choices: list[Any] = [(UNAPPROVED, "Nothing agreed: unapproved scope")]
        if scope:
            choices.append(("Scope items", scope))
        if changes:
            choices.append(("Change requests", changes))
        self.fields["work"].choices = choices  # type: ignore[attr-defined]
        self.engagement = engagement

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        work = data.pop("work", UNAPPROVED) or UNAPPROVED
        data["scope_item"] = data["change_request"] = None
        if work.startswith("s"):
            data["scope_item"] = ScopeItem.objects.filter(
                engagement=self.engagement, pk=work[1:]
            ).first()
        elif work.startswith("c"):
            data["change_request"] = ChangeRequest.objects.filter(
                engagement=self.engagement, pk=work[1:]
            ).first()
        if person := data.get("person"):
            data["person_name"] = str(person)
        return data


class ChangeRequestForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    effort_hours = forms.DecimalField(
        max_digits=10, decimal_places=2, initial=0, label="Effort (hours)"
    )
    cost_impact = forms.DecimalField(max_digits=14, decimal_places=2, initial=0)
    schedule_impact_days = forms.IntegerField(
        initial=0, label="Schedule impact (days)", help_text="Days added to the end date."
    )


class DecisionForm(ClaimedDates, forms.Form):
    decision = forms.TypedChoiceField(
        label="The client's decision",
        choices=[("approve", "Approved"), ("reject", "Rejected")],
        coerce=lambda value: value == "approve",
        widget=forms.RadioSelect,
    )
    decided_by = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Decided by")
    on = date_field(
        "Decided on",
        initial=today,
        help_text="Budget it adds counts from this day, or from when you record it if later.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = client.contacts.all()  # type: ignore[attr-defined]


class ConfirmForm(forms.Form):
    """A button with no fields: the action itself is the input."""


class QualityIssueForm(ClaimedDates, forms.Form):
    claimed = ("opened_on",)
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    found_by = forms.ChoiceField(choices=FoundBy.choices, widget=forms.RadioSelect)
    opened_on = date_field("Found on", initial=today)
    deliverable = forms.ModelChoiceField(queryset=Deliverable.objects.none(), required=False)

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deliverable"].queryset = engagement.deliverables.all()  # type: ignore[attr-defined]


class ResolveForm(ClaimedDates, forms.Form):
    claimed = ("resolved_on",)
    resolved_on = date_field("Resolved on", initial=today)
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(ClaimedDates, forms.Form):
    claimed = ("sent_on",)
    kind = forms.ChoiceField(choices=NoticeKind.choices, widget=forms.RadioSelect)
    milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        help_text="For a slip: its forecast moves to the new date; the committed date stays.",
    )
    sent_on = date_field(
        "Client told on",
        initial=today,
        help_text="A notice counts from when it is recorded: a date before today earns no "
        "extra notice in the trust index, so record each notice as you send it.",
    )
    new_date = date_field("New date", required=False)
    new_cost = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, label="New expected cost"
    )
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = engagement.milestones.all()  # type: ignore[attr-defined]


class TaskMappingForm(forms.Form):
    """What a time tracker's task counts as: on one engagement (one of its scope items, approved
    overhead, or work outside the approved scope), or firm-wide (the last two only)."""

    wide = ("task", "maps_to")

    task = forms.CharField(
        label="Task name",
        max_length=200,
        required=False,
        strip=True,
        help_text="As the time tracker names it; case and spacing do not matter. Leave it blank "
        "for entries imported without a task.",
    )
    maps_to = forms.ChoiceField(label="Counts as")
    firm_wide = forms.BooleanField(
        label="For every engagement (firm-wide)",
        required=False,
        help_text="For a task the whole firm uses, such as Project Management. An engagement's "
        "own mapping, or a scope item of the same name, still comes first there.",
    )

    def __init__(
        self, *args: Any, engagement: Engagement | None, firm_wide: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        choices: list[Any] = [
            ("", "Choose what it counts as"),
            ("overhead", "Approved overhead (project management, internal meetings…)"),
            ("unapproved", "Outside the approved scope: scope creep"),
        ]
        if engagement is not None:
            items = [(f"s{i.pk}", i.title) for i in engagement.scope_items.all()]
            if items:
                choices.insert(1, ("A scope item of this engagement", items))
        self.fields["maps_to"].choices = choices  # type: ignore[attr-defined]
        if engagement is None or not firm_wide:
            del self.fields["firm_wide"]  # firm-wide only, or not allowed

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        maps_to = data.pop("maps_to", "")
        data["target"], data["scope_item"] = maps_to, None
        if maps_to.startswith("s") and self.engagement is not None:
            data["target"] = "scope_item"
            data["scope_item"] = self.engagement.scope_items.filter(pk=maps_to[1:]).first()
        return data
