"""Forms of the communication pages. Times are entered in the firm's time zone (the views
activate it), and rules beyond a field's shape are the services' to check."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.communications import sla
from trustledger.communications.models import (
    BusinessCalendar,
    Channel,
    CommunicationPlan,
    Direction,
    InteractionKind,
    Priority,
)
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.selectors import people_of

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CLOCK = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
INTERVAL_HELP = (
    "Days between them: 7 weekly, 14 fortnightly, 30 monthly, 91 quarterly. Empty: none."
)


def _now_local() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)


def _people(workspace: Workspace) -> Any:
    return people_of(workspace)


def _interval(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, max_value=3650, help_text=INTERVAL_HELP
    )


class PlanForm(forms.Form):
    preferred_channels = forms.MultipleChoiceField(
        choices=[c for c in Channel.choices if c[0] != Channel.TICKET],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    check_in_days = _interval("Check-in every")
    review_days = _interval("Business review every")
    budget_update_days = _interval("Budget update every")
    starts_on = forms.DateField(
        widget=DAY, help_text="Cadences are measured from this day.", label="Plan starts on"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, plan: CommunicationPlan | None, client: Client, **kwargs: Any):
        initial = kwargs.pop("initial", {}) or {}
        if plan is not None:
            initial.update(
                preferred_channels=plan.preferred_channels,
                check_in_days=plan.check_in_days,
                review_days=plan.review_days,
                budget_update_days=plan.budget_update_days,
                starts_on=plan.starts_on,
                notes=plan.notes,
            )
        else:
            initial.update(
                check_in_days=14,
                review_days=91,
                budget_update_days=30,
                starts_on=client.relationship_start,
            )
        overrides = plan.sla_hours if plan else {}
        for key in sla.SLA_KEYS:
            initial[f"sla_{key}"] = overrides.get(key)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for key, default in sla.DEFAULT_SLA_HOURS.items():
            self.fields[f"sla_{key}"] = forms.DecimalField(
                label=sla.SLA_LABELS[key],
                required=False,
                min_value=Decimal("0.25"),
                max_value=sla.MAX_SLA_HOURS,
                decimal_places=2,
                help_text=f"Business hours; {default:g} when empty.",
            )

    def sla_fields(self) -> list[forms.BoundField]:
        return [self[f"sla_{key}"] for key in sla.SLA_KEYS]

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.base_fields]

    def plan_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.base_fields}
        data["sla_hours"] = {
            key: self.cleaned_data[f"sla_{key}"]
            for key in sla.SLA_KEYS
            if self.cleaned_data.get(f"sla_{key}") is not None
        }
        return data


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    role = forms.CharField(max_length=120, required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(workspace)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") and not (data.get("role") or "").strip():
            self.add_error("role", "Give their role on the account.")
        return data


class EscalationForm(forms.Form):
    level = forms.IntegerField(min_value=1, max_value=9, initial=1)
    who = forms.ChoiceField(required=False, label="Contact or person")

    def __init__(self, *args: Any, workspace: Workspace, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = [(f"c{c.pk}", f"{c.name} ({client})") for c in client.contacts.all()]
        people = [(f"p{u.pk}", f"{u} (us)") for u in _people(workspace)]
        self.fields["who"].choices = [("", "—"), *contacts, *people]  # type: ignore[attr-defined]


MemberFormSet = forms.formset_factory(MemberForm, extra=2)
EscalationFormSet = forms.formset_factory(EscalationForm, extra=2)


class _ClientForm(forms.Form):
    """A form about one client: its contacts and the workspace's people to choose from."""

    def __init__(self, *args: Any, client: Client, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("contact",):
                field.queryset = client.contacts.all()  # type: ignore[attr-defined]
            elif name in ("person", "owner", "commitment_owner"):
                field.queryset = _people(workspace)  # type: ignore[attr-defined]


class InteractionForm(_ClientForm):
    channel = forms.ChoiceField(choices=[c for c in Channel.choices if c[0] != Channel.TICKET])
    kind = forms.ChoiceField(choices=InteractionKind.choices, initial=InteractionKind.CHECK_IN)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.TWO_WAY)
    occurred_at = forms.DateTimeField(widget=MOMENT, label="When", initial=_now_local)
    duration_minutes = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, label="Minutes"
    )
    subject = forms.CharField(max_length=300)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    person = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Our side")


class InteractionCreateForm(InteractionForm):
    """Recording a meeting may record the promise made in it."""

    commitment = forms.CharField(
        max_length=300,
        required=False,
        label="Promise made (optional)",
        help_text="What we committed to, to track as kept or not.",
    )
    commitment_due_on = forms.DateField(widget=DAY, required=False, label="Promised by")
    commitment_owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Owed by"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("commitment") and not data.get("commitment_due_on"):
            self.add_error("commitment_due_on", "Say when it is due.")
        return data


class InquiryForm(_ClientForm):
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.EMAIL)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    subject = forms.CharField(max_length=300, label="What they asked")
    received_at = forms.DateTimeField(widget=MOMENT, label="Received", initial=_now_local)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    first_response_at = forms.DateTimeField(
        widget=MOMENT, required=False, label="First response (if given)"
    )
    resolved_at = forms.DateTimeField(widget=MOMENT, required=False, label="Resolved (if so)")


class MomentForm(forms.Form):
    at = forms.DateTimeField(widget=MOMENT, label="When", initial=_now_local)


class CommitmentForm(_ClientForm):
    description = forms.CharField(max_length=300, label="What we promised")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owed by")
    due_on = forms.DateField(widget=DAY, label="Due")
    made_on = forms.DateField(widget=DAY, initial=timezone.localdate, label="Promised on")
    note = forms.CharField(max_length=500, required=False)


class QuickCommitmentForm(_ClientForm):
    """The one-line version on the client page: what, who, by when."""

    description = forms.CharField(
        max_length=300,
        label="What we promised",
        widget=forms.TextInput(attrs={"placeholder": "Send the revised plan"}),
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owed by")
    due_on = forms.DateField(widget=DAY, label="Due")


def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


class BusinessHoursForm(forms.Form):
    time_zone = forms.ChoiceField(choices=_zones)

    def __init__(self, *args: Any, calendar: Any, **kwargs: Any) -> None:
        initial = {"time_zone": calendar.time_zone}
        for day, hours in zip(BusinessCalendar.DAYS, calendar.hours, strict=True):
            initial[f"{day}_opens"] = hours[0] if hours else None
            initial[f"{day}_closes"] = hours[1] if hours else None
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for day, label in zip(BusinessCalendar.DAYS, _DAY_NAMES, strict=True):
            self.fields[f"{day}_opens"] = forms.TimeField(
                widget=CLOCK, required=False, label=f"{label} opens"
            )
            self.fields[f"{day}_closes"] = forms.TimeField(
                widget=CLOCK, required=False, label=f"{label} closes"
            )

    def days(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (label, self[f"{day}_opens"], self[f"{day}_closes"])
            for day, label in zip(BusinessCalendar.DAYS, _DAY_NAMES, strict=True)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in BusinessCalendar.DAYS:
            if (data.get(f"{day}_opens") is None) != (data.get(f"{day}_closes") is None):
                self.add_error(f"{day}_closes", "Give both times, or neither for a closed day.")
        return data

    def hours(self) -> list[Any]:
        d = self.cleaned_data
        return [
            (d[f"{day}_opens"], d[f"{day}_closes"]) if d.get(f"{day}_opens") else None
            for day in BusinessCalendar.DAYS
        ]


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class HolidayForm(forms.Form):
    date = forms.DateField(widget=DAY)
    name = forms.CharField(max_length=120)
