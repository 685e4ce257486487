"""Drill-downs: the rows behind each figure of the analytics dashboard, shared by the drill-down
page (and its CSV) and the API. ``drill_source`` reads the same parameters as the page's URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone

from trustledger.analytics import report, selectors
from trustledger.analytics.exports import table_csv
from trustledger.analytics.report import Cell, Filters, Table, num, pct
from trustledger.analytics.selectors import Period, Segment
from trustledger.clients.models import Client, Tier
from trustledger.communications.models import Channel
from trustledger.feedback.analysis.themes import THEMES
from trustledger.scoring import portfolio as measures
from trustledger.scoring.repeat import repeat_summary
from trustledger.workspaces.models import Workspace


def _date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return "—"
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return day.isoformat()


CLIENT_COLUMNS = [
    ("Client", False),
    ("Tier", False),
    ("Industry", False),
    ("Account manager", False),
    ("Relationship start", False),
    ("Lost on", False),
]
TIERS = dict(Tier.choices)


def _client_cells(c: Client) -> list[Cell]:
    return [
        Cell(c.name, reverse("clients:detail", args=[c.pk])),
        Cell(str(TIERS.get(c.tier, c.tier))),
        Cell(c.industry or "—"),
        Cell(str(c.account_manager) if c.account_manager else "—"),
        Cell(_date(c.relationship_start)),
        Cell(_date(c.lost_on)),
    ]


type RowsOf = Callable[[Sequence[Any]], list[list[Cell]]]


def drill_source(
    workspace: Workspace, filters: Filters, get: Mapping[str, str], notes: list[str]
) -> tuple[str, list[tuple[str, bool]], Sequence[Any] | QuerySet[Any], RowsOf]:
    """What a drill-down lists: its title, columns, the rows' source and how to show a row;
    ``notes`` gets what the figures leave out (amounts no exchange rate converts)."""
    period, segment = filters.period, filters.segment
    bucket = get.get("bucket", "")
    if bucket:
        try:
            first = measures.bucket_start(dt.date.fromisoformat(bucket), filters.grain)
        except ValueError:
            raise Http404("No such bucket.") from None
        end = measures.bucket_end(first, filters.grain)
        period = Period(max(first, period.start), max(min(end, period.end), first))
    measure = get.get("measure", "")
    span = f"{period.start} to {period.end}"

    def clients(items: Sequence[Client]) -> list[list[Cell]]:
        return [_client_cells(c) for c in items]

    if measure == "retention":
        which = get.get("which", "lost")
        if which not in ("at_start", "new", "at_end", "retained", "lost"):
            raise Http404("No such group.")
        label = {
            "at_start": "Clients served at the start (S)",
            "new": "New clients (N)",
            "at_end": "Clients served at the end (E)",
            "retained": "Clients kept (R)",
            "lost": "Clients lost",
        }[which]
        qs = selectors.retention_clients(workspace, period, segment, which)
        return f"{label}, {span}", CLIENT_COLUMNS, qs, clients
    if measure == "cohort":
        cohort = get.get("cohort", "")[:10]
        qs = selectors.cohort_clients(workspace, period.end, segment, cohort)
        return f"Clients whose relationship began in {cohort}", CLIENT_COLUMNS, qs, clients
    if measure in ("profitability", "revenue"):
        revenue = selectors.client_revenue(workspace, period, segment)
        if measure == "profitability":
            profit = selectors.profitability(workspace, period, segment, revenue)
            notes += [m.text for m in profit.missing]
            table = report.profit_table(profit)
            rows: list[list[Cell]] = table.rows
            return f"Client profitability, {span}", table.columns, rows, list
        notes += [m.text for m in revenue.missing]
        currency = revenue.currency
        before, now = revenue.before, revenue.now
        cohort_ids = sorted((c for c, r in before.items() if r > 0), key=lambda c: -before[c])
        items = [(c, revenue.names[c], before[c], now.get(c, 0.0)) for c in cohort_ids]
        previous = period.previous()
        return (
            f"Revenue kept from the clients of {previous.start} to {previous.end}",
            [
                ("Client", False),
                (f"Revenue before ({currency})", True),
                (f"Revenue now ({currency})", True),
                (f"Kept, capped ({currency})", True),
                ("Change", True),
            ],
            items,
            lambda page: [
                [
                    Cell(name, reverse("clients:detail", args=[pk])),
                    Cell(num(b), num=True),
                    Cell(num(n), num=True),
                    Cell(num(min(n, b)), num=True),
                    Cell(pct((n - b) / b if b else None), num=True),
                ]
                for pk, name, b, n in page
            ],
        )
    if measure == "repeat":
        qs = selectors.repeat_clients(workspace, period, segment)

        def repeat_rows(page: Sequence[Client]) -> list[list[Cell]]:
            starts = selectors.engagement_starts(workspace, [c.pk for c in page], period.end)
            summary = repeat_summary(starts, period.end)
            return [
                [
                    Cell(c.name, reverse("clients:detail", args=[c.pk])),
                    Cell(str(getattr(c, "won_engagements", 0)), num=True),
                    Cell(str(summary[c.pk].frequency) if c.pk in summary else "—", num=True),
                    Cell(str(summary[c.pk].recency) if c.pk in summary else "—", num=True),
                    Cell(str(summary[c.pk].T) if c.pk in summary else "—", num=True),
                ]
                for c in page
            ]

        return (
            f"Clients with work started by {period.end}",
            [
                ("Client", False),
                ("Engagements", True),
                ("Repeat engagements (frequency)", True),
                ("Days first to last (recency)", True),
                ("Days since first (T)", True),
            ],
            qs,
            repeat_rows,
        )
    if measure == "referrals":
        referrals = selectors.referral_rows(workspace, period, segment)
        return (
            f"Referrals, {span}",
            [
                ("Referred on", False),
                ("By", False),
                ("Client referred", False),
                ("Won work", False),
            ],
            referrals,
            lambda page: [
                [
                    Cell(_date(r.referred_on)),
                    Cell(r.referrer.name, reverse("clients:detail", args=[r.referrer_id])),
                    Cell(r.referred.name, reverse("clients:detail", args=[r.referred_id])),
                    Cell("Yes" if r.converted else "No"),
                ]
                for r in page
            ],
        )
    if measure == "responses":
        channel = get.get("channel", "")
        channel = channel if channel in Channel.values else ""
        inquiries = selectors.inquiry_rows(workspace, period, segment, channel)
        return (
            f"Inquiries received, {span}" + (f" ({channel})" if channel else ""),
            [
                ("Received", False),
                ("Client", False),
                ("Channel", False),
                ("Subject", False),
                ("First response", False),
                ("Within SLA", False),
            ],
            inquiries,
            lambda page: [
                [
                    Cell(_date(q.received_at)),
                    Cell(q.client.name, reverse("clients:detail", args=[q.client_id])),
                    Cell(q.get_channel_display()),
                    Cell(q.subject),
                    Cell(_date(q.first_response_at)),
                    Cell(
                        "—"
                        if q.first_response_at is None and q.sla_due > timezone.now()
                        else ("No" if q.breached() else "Yes")
                    ),
                ]
                for q in page
            ],
        )
    if measure == "success":
        s = selectors.success_rates(workspace, period, segment)
        kind, lead = get.get("type", ""), get.get("lead", "")
        picked = [
            (s.engagements[pk], o)
            for pk, o in s.outcomes.items()
            if (not kind or s.engagements[pk].type == kind)
            and (not lead or s.engagements[pk].lead == lead)
        ]
        picked.sort(key=lambda item: (item[0].closed_on, item[0].pk), reverse=True)

        def yes(value: bool | None) -> str:
            return "—" if value is None else ("Yes" if value else "No")

        return (
            f"Engagements closed, {span}",
            [
                ("Engagement", False),
                ("Client", False),
                ("Type", False),
                ("Lead", False),
                ("Closed", False),
                ("On time", False),
                ("Within budget", False),
                ("Quality", False),
            ],
            picked,
            lambda page: [
                [
                    Cell(e.name, reverse("engagements:detail", args=[e.pk])),
                    Cell(e.client),
                    Cell(e.type),
                    Cell(e.lead),
                    Cell(_date(e.closed_on)),
                    Cell(yes(o.on_time)),
                    Cell(yes(o.within_budget)),
                    Cell(yes(o.quality)),
                ]
                for e, o in page
            ],
        )
    if measure in ("nps", "themes"):
        theme = get.get("theme", "")
        theme = theme if theme in THEMES else ""
        raw = get.get("segment_of", "")
        try:
            segment = Segment.parse(raw) if raw else segment
        except ValueError:
            raise Http404("No such segment.") from None
        answers = selectors.answer_rows(
            workspace, period, segment, theme if measure == "themes" else ""
        )
        if measure == "themes":
            answers = answers.exclude(comment="")
        title = "Comments" if measure == "themes" else "Survey answers"
        return (
            f"{title}, {span}" + (f" (theme: {theme.replace('_', ' / ')})" if theme else ""),
            [
                ("Answered", False),
                ("Client", False),
                ("Score", True),
                ("Theme", False),
                ("Comment", False),
            ],
            answers,
            lambda page: [
                [
                    Cell(_date(a.answered_at)),
                    Cell(a.client.name, reverse("clients:detail", args=[a.client_id])),
                    Cell(str(a.score), num=True),
                    Cell(a.theme.replace("_", " / ") or "—"),
                    Cell(a.comment[:300]),
                ]
                for a in page
            ],
        )
    raise Http404("No such measure.")


def drill_csv(workspace: Workspace, filters: Filters, get: Mapping[str, str]) -> HttpResponse:
    """Every row of a drill-down as CSV (cells as the page shows them)."""
    title, columns, source, rows_of = drill_source(workspace, filters, get, [])
    return table_csv(Table("drill", title, columns, rows_of(list(source))), filters.period)
