"""Explaining a client's index between any two dates: the one place the page and the API read.

The index at each date is the stored snapshot of that day when it was produced from what was
known then (under the configuration in force that day, and computed once the day was over, or
today's), else it is computed as of that day under that configuration. When the configuration
differs between the dates, the later facts are also scored under the earlier one, so that the
configuration's effect is its own line (``scoring.explain``). The events are the client's
timeline (every app's ``timeline`` source) dated after the first date and up to the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from trustledger.clients.models import Client
from trustledger.clients.timeline import TimelineEvent, client_timeline
from trustledger.core.clock import day_starts, local_day, local_today
from trustledger.scoring.display import format_number
from trustledger.scoring.explain import Explanation, explain_change
from trustledger.scoring.index import INDICATORS
from trustledger.trust import services
from trustledger.trust.forms import LABELS
from trustledger.trust.models import SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.trust.selectors import as_index_result
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.services import DomainError

EARLIEST = dt.date(2000, 1, 1)
DEFAULT_DAYS = 7
QUICK_PICKS = (7, 30, 90, 365)
EVENTS_ON_PAGE = 20

SETTING_LABELS = {
    "window_days": "window (days)",
    "half_life_days": "half-life (days)",
    "healthy_at": "healthy from",
    "at_risk_below": "at risk below",
    "min_confidence": "minimum confidence",
}

type Source = Literal["stored", "computed", "none"]


def parse_dates(
    workspace: Workspace,
    start: str | dt.date | None,
    end: str | dt.date | None,
    *,
    default_start: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """The two dates to compare, checked: the first before the second, neither after today in
    the workspace's time zone. A refusal is a DomainError naming the field (``from``, ``to``)."""
    today = local_today(workspace)
    last = _date(end, "to") or today
    first = _date(start, "from") or default_start or last - dt.timedelta(days=DEFAULT_DAYS)
    for day, name in ((first, "from"), (last, "to")):
        if day > today:
            raise DomainError(
                f"The {name!r} date cannot be after today ({today:%-d %b %Y} in the firm's "
                "time zone): the index of a day to come is not known yet.",
                field=name,
            )
        if day < EARLIEST:
            raise DomainError(f"The {name!r} date must be in {EARLIEST.year} or later.", field=name)
    if first >= last:
        raise DomainError("The 'from' date must be before the 'to' date.", field="from")
    return first, last


def _date(value: str | dt.date | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(f"Give the {name!r} date as YYYY-MM-DD.", field=name) from None


def default_start(client: Client) -> dt.date | None:
    """The first date the page and the API compare with when none is given: the last weekly
    snapshot at least a week before the current one (what the headline's "Since" reads)."""
    current = TrustSnapshot.objects.filter(client=client, kind=SnapshotKind.CURRENT).first()
    if current is None:
        return None
    return (
        TrustSnapshot.objects.filter(
            client=client,
            kind=SnapshotKind.WEEKLY,
            as_of__lte=current.as_of - dt.timedelta(days=DEFAULT_DAYS),
        )
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def config_in_force(workspace: Workspace, day: dt.date) -> TrustConfig:
    """The configuration version in force at the end of ``day`` (the first one before any)."""
    versions = TrustConfig.objects.for_workspace(workspace)
    ends = day_starts(workspace, day + dt.timedelta(days=1))
    found = versions.filter(created_at__lt=ends).order_by("-version").first()
    return found or versions.order_by("version").first() or services.current_config(workspace)


@dataclass(frozen=True)
class ConfigChange:
    """The configuration differs between the two dates: from version ``before`` to ``after``."""

    before: TrustConfig
    after: TrustConfig
    changed_on: dt.date
    what: tuple[str, ...]  # "On-time delivery weight 1 → 3", "half-life 90 → 60 days"


@dataclass(frozen=True)
class IndexAt:
    day: dt.date
    snapshot: TrustSnapshot | None
    source: Source


@dataclass(frozen=True)
class TrustExplanation:
    client: Client
    start: IndexAt
    end: IndexAt
    explanation: Explanation
    config_change: ConfigChange | None
    events: list[TimelineEvent]

    @property
    def ends(self) -> tuple[IndexAt, IndexAt]:
        return self.start, self.end

    def indicators(self) -> list[tuple[str, float, int]]:
        """(indicator, exact part, shown part) of the indicators that moved, largest first."""
        return self.explanation.moved()


def explain_between(client: Client, start: dt.date, end: dt.date) -> TrustExplanation:
    """The change of the client's index from ``start`` to ``end`` (dates already checked)."""
    workspace = client.workspace
    today = local_today(workspace)
    config_start, config_end = config_in_force(workspace, start), config_in_force(workspace, end)
    before = _index_at(client, start, config_start, today)
    after = _index_at(client, end, config_end, today)
    change = None if config_start.pk == config_end.pk else _config_change(config_start, config_end)
    return TrustExplanation(
        client=client,
        start=before,
        end=after,
        explanation=_explain(client, before, after, config_start if change else None),
        config_change=change,
        events=[e for e in client_timeline(workspace, client) if start < e.on <= end],
    )


def _explain(
    client: Client, before: IndexAt, after: IndexAt, earlier_config: TrustConfig | None
) -> Explanation:
    if before.snapshot is None or after.snapshot is None:
        return Explanation(
            before.snapshot.index if before.snapshot else None,
            after.snapshot.index if after.snapshot else None,
            config_changed=earlier_config is not None,
        )
    under_before = None
    if earlier_config is not None:
        again = services.snapshot_as_of(client, after.day, earlier_config)
        under_before = as_index_result(again) if again else None
    return explain_change(
        as_index_result(before.snapshot),
        as_index_result(after.snapshot),
        after_under_before=under_before,
    )


def _index_at(client: Client, day: dt.date, config: TrustConfig, today: dt.date) -> IndexAt:
    over = day_starts(client.workspace, day + dt.timedelta(days=1))
    for snapshot in TrustSnapshot.objects.filter(client=client, as_of=day).select_related("config"):
        if snapshot.config_id == config.pk and (day >= today or snapshot.computed_at >= over):
            return IndexAt(day, snapshot, "stored")
    computed = services.snapshot_as_of(client, day, config)
    return IndexAt(day, computed, "computed" if computed else "none")


def _config_change(before: TrustConfig, after: TrustConfig) -> ConfigChange:
    """What differs between two versions, in words, and when the later one was saved."""
    old, new = before.index_settings(), after.index_settings()
    what = [
        f"{LABELS[key]} weight {_number(old.weights[key])} → {_number(new.weights[key])}"
        for key in INDICATORS
        if old.weights[key] != new.weights[key]
    ]
    for name, label in SETTING_LABELS.items():
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            what.append(f"{label} {_number(a)} → {_number(b)}")
    return ConfigChange(before, after, local_day(after.workspace, after.created_at), tuple(what))


def _number(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 2)
