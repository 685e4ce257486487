"""Response SLAs: the defaults, a plan's own, and the firm's calendar they are counted on."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from trustledger.communications.models import BusinessCalendar, Channel, Holiday, Inquiry, Priority
from trustledger.core.facts import announce
from trustledger.scoring import businesstime as bt
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, record_audit

# Business hours to a first response when the client's plan does not say otherwise.
DEFAULT_SLA_HOURS: dict[str, Decimal] = {
    Channel.EMAIL: Decimal(8),  # one business day in a 9-to-5 calendar
    Channel.PHONE: Decimal(4),
    Channel.MESSAGE: Decimal(4),
    Channel.MEETING: Decimal(8),
    Channel.SITE_VISIT: Decimal(8),
    f"ticket_{Priority.URGENT}": Decimal(1),
    f"ticket_{Priority.HIGH}": Decimal(4),
    f"ticket_{Priority.NORMAL}": Decimal(8),
    f"ticket_{Priority.LOW}": Decimal(16),
}
SLA_KEYS = tuple(DEFAULT_SLA_HOURS)
MAX_SLA_HOURS = Decimal(2000)
SLA_LABELS: dict[str, str] = {
    **{c.value: c.label for c in Channel if c != Channel.TICKET},
    **{f"ticket_{p.value}": f"Ticket, {p.label.lower()} priority" for p in Priority},
}


def sla_key(channel: str, priority: str = Priority.NORMAL) -> str:
    return f"ticket_{priority}" if channel == Channel.TICKET else channel


def clean_sla_hours(raw: Mapping[str, Any]) -> dict[str, str]:
    """A plan's SLA overrides, validated; stored as decimal strings (JSON has no decimals)."""
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        if key not in DEFAULT_SLA_HOURS:
            raise DomainError(
                f"{key!r} is not a channel with an SLA; use one of {', '.join(SLA_KEYS)}.",
                field="sla_hours",
            )
        if value is None or value == "":
            continue
        try:
            hours = Decimal(str(value))
        except ArithmeticError:
            raise DomainError(f"The SLA for {key} must be a number.", field="sla_hours") from None
        if not hours.is_finite() or not 0 < hours <= MAX_SLA_HOURS:
            raise DomainError(
                f"The SLA for {key} must be more than 0 and at most {MAX_SLA_HOURS} hours.",
                field="sla_hours",
            )
        cleaned[key] = str(hours.quantize(Decimal("0.01")))
    return cleaned


def effective_sla_hours(overrides: Mapping[str, Any] | None) -> dict[str, Decimal]:
    hours = dict(DEFAULT_SLA_HOURS)
    for key, value in (overrides or {}).items():
        if key in hours:
            hours[key] = Decimal(str(value))
    return hours


def sla_hours_for(overrides: Mapping[str, Any] | None, channel: str, priority: str) -> Decimal:
    return effective_sla_hours(overrides)[sla_key(channel, priority)].quantize(Decimal("0.01"))


def sla_due(calendar: bt.BusinessCalendar, received_at: dt.datetime, hours: Decimal) -> dt.datetime:
    """The deadline: ``hours`` of business time on the firm's calendar after ``received_at``."""
    return calendar.add(received_at, dt.timedelta(hours=float(hours)))


def recount_deadlines(workspace: Workspace, inquiries: QuerySet[Inquiry] | None = None) -> int:
    """Count (again) the SLA deadline of the inquiries (all of the workspace's unless
    ``inquiries`` narrows them) on the firm's calendar as it is now, as ``store_response_hours``
    does for their responses: opening hours and holidays move deadlines and responses alike.
    Returns how many deadlines moved."""
    calendar = business_calendar(workspace)
    qs = (inquiries if inquiries is not None else Inquiry.objects.all()).filter(workspace=workspace)
    batch: list[Inquiry] = []
    moved = 0
    rows = qs.only("pk", "received_at", "sla_hours", "sla_due").order_by().iterator(chunk_size=2000)
    for inquiry in rows:
        due = sla_due(calendar, inquiry.received_at, inquiry.sla_hours)
        if due != inquiry.sla_due:
            inquiry.sla_due = due
            batch.append(inquiry)
        if len(batch) >= 2000:
            moved += len(batch)
            Inquiry.objects.bulk_update(batch, ["sla_due"])
            batch = []
    Inquiry.objects.bulk_update(batch, ["sla_due"])
    return moved + len(batch)


def spanning(calendar: bt.BusinessCalendar, day: dt.date) -> Q:
    """Inquiries whose SLA clock ran over the firm's local ``day``: received before it ended
    and due after it began. Only their deadlines can move when the day opens or closes."""
    begins = dt.datetime.combine(day, dt.time.min, tzinfo=calendar.zone)
    return Q(received_at__lt=begins + dt.timedelta(days=1), sla_due__gt=begins)


# The firm's calendar


def calendar_from(
    row: BusinessCalendar | None, holidays: Iterable[dt.date], *, default_zone: str
) -> bt.BusinessCalendar:
    """The pure calendar of a workspace: its saved hours, or office hours in its time zone."""
    if row is None:
        zone = default_zone
        try:
            bt.valid_zone(zone)
        except ValueError:
            zone = "UTC"
        return bt.BusinessCalendar.build(zone, bt.OFFICE_HOURS, holidays)
    return bt.BusinessCalendar.build(row.time_zone, hours_of(row), holidays)


def hours_of(row: BusinessCalendar) -> list[bt.Hours]:
    hours: list[bt.Hours] = []
    for day in BusinessCalendar.DAYS:
        opens, closes = getattr(row, f"{day}_opens"), getattr(row, f"{day}_closes")
        hours.append((opens, closes) if opens is not None and closes is not None else None)
    return hours


def business_calendar(workspace: Workspace) -> bt.BusinessCalendar:
    """Two queries: the saved hours and the holidays."""
    row = BusinessCalendar.objects.for_workspace(workspace).first()
    holidays = Holiday.objects.for_workspace(workspace).values_list("date", flat=True)
    return calendar_from(row, list(holidays), default_zone=workspace.time_zone)


# Stored business-hours first responses (Inquiry.response_hours)

STORED_FIELDS = [
    "response_hours",
    "response_hours_calendar",
    "response_hours_from",
    "response_hours_to",
]


def calendar_key(calendar: bt.BusinessCalendar) -> str:
    """A fingerprint of the calendar: a stored response time is valid only under the same one."""
    text = repr((calendar.time_zone, calendar.hours, sorted(calendar.holidays)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fresh_response_hours(key: str) -> Q:
    """Inquiries whose stored response hours were counted on this calendar, for these times."""
    return Q(
        response_hours_calendar=key,
        response_hours_from=F("received_at"),
        response_hours_to=F("first_response_at"),
    )


def store_response_hours(workspace: Workspace, inquiries: QuerySet[Inquiry] | None = None) -> int:
    """Count (again) the business-hours first response of the answered inquiries whose stored
    figure is missing or stale; all of the workspace's unless `inquiries` narrows them. The
    arithmetic is the calendar's own (scoring.businesstime). Returns how many were stored."""
    calendar = business_calendar(workspace)
    key = calendar_key(calendar)
    qs = (inquiries if inquiries is not None else Inquiry.objects.all()).filter(
        workspace=workspace, first_response_at__isnull=False
    )
    batch: list[Inquiry] = []
    stored = 0
    for inquiry in (
        qs.exclude(fresh_response_hours(key))
        .only("pk", "received_at", "first_response_at")
        .order_by()
        .iterator(chunk_size=2000)
    ):
        assert inquiry.first_response_at is not None
        inquiry.response_hours = calendar.business_hours(
            inquiry.received_at, inquiry.first_response_at
        )
        inquiry.response_hours_calendar = key
        inquiry.response_hours_from = inquiry.received_at
        inquiry.response_hours_to = inquiry.first_response_at
        batch.append(inquiry)
        if len(batch) >= 2000:
            stored += len(batch)
            Inquiry.objects.bulk_update(batch, STORED_FIELDS)
            batch = []
    Inquiry.objects.bulk_update(batch, STORED_FIELDS)
    return stored + len(batch)


def check_hours(time_zone: str, hours: Sequence[bt.Hours]) -> None:
    try:
        bt.BusinessCalendar.build(time_zone, hours)
    except ValueError as error:
        field = "time_zone" if "time zone" in str(error) else "hours"
        raise DomainError(str(error).capitalize() + ".", field=field) from None


@transaction.atomic
def update_business_calendar(
    workspace: Workspace, *, by: User | None, time_zone: str, hours: Sequence[bt.Hours]
) -> BusinessCalendar:
    """Save the firm's opening hours; every inquiry's deadline and response are counted again
    on them (the same calendar for both, as for holidays)."""
    check_hours(time_zone, hours)
    row = BusinessCalendar.objects.for_workspace(workspace).first()
    before = {"time_zone": None, "hours": None} if row is None else _describe(row)
    row = row or BusinessCalendar(workspace=workspace)
    row.time_zone = time_zone
    for day, day_hours in zip(BusinessCalendar.DAYS, hours, strict=True):
        setattr(row, f"{day}_opens", day_hours[0] if day_hours else None)
        setattr(row, f"{day}_closes", day_hours[1] if day_hours else None)
    row.updated_at = dt.datetime.now(dt.UTC)
    row.save()
    after = _describe(row)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record_audit(workspace, by, "business_calendar.updated", row, changes)
        _announce_every_client(workspace, "businesscalendar")
        recount_deadlines(workspace)  # counted on the new hours
        store_response_hours(workspace)
    return row


def _announce_every_client(workspace: Workspace, kind: str) -> None:
    """Business hours and holidays count every client's response times."""
    from trustledger.clients.models import Client

    announce(
        workspace.pk, Client.objects.for_workspace(workspace).values_list("pk", flat=True), kind
    )


def _describe(row: BusinessCalendar) -> dict[str, Any]:
    shown = [f"{h[0]:%H:%M}-{h[1]:%H:%M}" if h else "closed" for h in hours_of(row)]
    return {"time_zone": row.time_zone, "hours": ", ".join(shown)}


@transaction.atomic
def add_holiday(workspace: Workspace, *, by: User | None, date: dt.date, name: str) -> Holiday:
    """A day the firm is closed: the deadlines running over it move later, and the responses
    given across it count fewer business hours."""
    name = name.strip()
    if not name:
        raise DomainError("Name the holiday.", field="name")
    if Holiday.objects.for_workspace(workspace).filter(date=date).exists():
        raise DomainError(f"{date:%d %B %Y} is already a holiday.", field="date")
    holiday = Holiday.objects.create(workspace=workspace, date=date, name=name)
    record_audit(workspace, by, "holiday.added", holiday)
    _announce_every_client(workspace, "holiday")
    _recount_around(workspace, date)
    return holiday


@transaction.atomic
def remove_holiday(holiday: Holiday, *, by: User | None) -> None:
    """The firm opens that day after all: deadlines running over it move earlier again."""
    record_audit(holiday.workspace, by, "holiday.removed", holiday)
    _announce_every_client(holiday.workspace, "holiday")
    holiday.delete()
    _recount_around(holiday.workspace, holiday.date)


def _recount_around(workspace: Workspace, day: dt.date) -> None:
    """After ``day`` opened or closed: the deadlines that ran over it, and every response."""
    spans = spanning(business_calendar(workspace), day)
    recount_deadlines(workspace, Inquiry.objects.filter(spans))
    store_response_hours(workspace)
