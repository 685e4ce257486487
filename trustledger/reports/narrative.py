"""The drafted narrative: a few plain sentences written from a report's figures by templates.

Deterministic (the same figures give the same words) and factual: it says what happened, where
the budget and the schedule stand, what awaits the client and what comes next. A person edits it
before it is sent; nothing here guesses or embellishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from trustledger.charts import format_money
from trustledger.scoring.display import format_percent, format_ratio
from trustledger.scoring.evm import BudgetVerdict, Performance, budget_verdict, schedule_verdict

Section = Mapping[str, Any]


# The verdicts, as frozen with the figures (a report drafted before they were stored gets them
# from the same rules, applied to its frozen figures): the figures and the sentences read these.


def budget_verdict_of(section: Section) -> BudgetVerdict:
    budget = section["budget"]
    frozen: BudgetVerdict | None = budget.get("verdict")
    return frozen or budget_verdict(budget["forecast_overrun"])


def schedule_of(section: Section) -> dict[str, Any]:
    """``spi``, ``milestones_late`` and ``verdict`` of the engagement's schedule."""
    if "schedule" in section:
        return dict(section["schedule"])
    late = len(slipping(section))
    spi = section["budget"].get("spi")
    return {
        "spi": spi,
        "milestones_late": late,
        "verdict": schedule_verdict(spi, milestones_late=late),
    }


def open_milestones(section: Section) -> list[Mapping[str, Any]]:
    return [m for m in section["milestones"] if not m["delivered"] and not m["cancelled"]]


def slipping(section: Section) -> list[Mapping[str, Any]]:
    """Open milestones past, or forecast past, their committed date."""
    return [m for m in open_milestones(section) if m["days_late"] > 0]


def day(value: str | None) -> str:
    """``12 May 2026`` from an ISO date."""
    if not value:
        return ""
    d = dt.date.fromisoformat(value)
    return f"{d.day} {d:%B %Y}"


def short_day(value: str) -> str:
    d = dt.date.fromisoformat(value)
    return f"{d.day} {d:%b}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def listing(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def hours(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def draft_narrative(snapshot: Mapping[str, Any]) -> str:
    """The whole narrative: one paragraph per engagement, then the client's promises."""
    period = snapshot.get("period", {})
    sections: list[Section] = snapshot.get("engagements", [])
    if not sections:
        return (
            f"No engagement of {snapshot.get('client', {}).get('name', 'yours')} was under way "
            f"between {day(period.get('start'))} and {day(period.get('end'))}."
        )
    single = len(sections) == 1
    paragraphs = [engagement_paragraph(s, period=period, named=not single) for s in sections]
    promises = commitments_sentence(snapshot.get("commitments", {}))
    if promises:
        paragraphs.append(promises)
    return "\n\n".join(paragraphs)


def engagement_paragraph(section: Section, *, period: Mapping[str, str], named: bool) -> str:
    sentences = [
        progress_sentence(section, period),
        budget_sentence(section),
        schedule_sentence(section),
        change_request_sentence(section),
        issues_sentence(section),
        next_steps_sentence(section, period.get("end", "")),
    ]
    text = " ".join(s for s in sentences if s)
    return f"{section['name']}: {text}" if named else text


def progress_sentence(section: Section, period: Mapping[str, str]) -> str:
    progress = section["progress"]
    reached = [m["name"] for m in progress["milestones_reached"]]
    accepted = [d["name"] for d in progress["deliverables_accepted"]]
    span = f"Between {day(period.get('start'))} and {day(period.get('end'))}"
    done = []
    if reached:
        done.append(f"we reached {plural(len(reached), 'milestone')} ({listing(reached)})")
    if accepted:
        done.append(f"you accepted {plural(len(accepted), 'deliverable')} ({listing(accepted)})")
    logged = f"the team logged {hours(progress['hours'])} hours"
    if not done:
        return f"{span} no milestone fell due for delivery and {logged}."
    return f"{span} {listing([*done, logged])}."


def budget_sentence(section: Section) -> str:
    budget, currency = section["budget"], section["currency"]
    if budget["budget"] <= 0:
        return f"{format_money(budget['billed'], currency)} has been spent so far."
    spent = (
        f"{format_money(budget['billed'], currency)} of the "
        f"{format_money(budget['budget'], currency)} budget is spent"
        f" ({format_percent(budget['burned_share'])})"
    )
    verdict, eac = budget_verdict_of(section), budget["eac"]
    if eac is None or verdict == "no_forecast":
        return f"{spent}; a forecast follows once the first milestone is delivered."
    if verdict != "within_budget":
        return (
            f"{spent}. At the current pace we forecast {format_money(eac, currency)} at "
            f"completion, {format_percent(budget['forecast_overrun'])} over budget."
        )
    return f"{spent}, and we forecast completion within budget ({format_money(eac, currency)})."


def schedule_sentence(section: Section) -> str:
    """What the schedule verdict says, in words: never "on track" beside a figure that is not."""
    late = slipping(section)
    if not open_milestones(section):
        return "Every milestone is delivered." if section["milestones"] else ""
    if not late:
        schedule = schedule_of(section)
        verdict: Performance = schedule["verdict"]
        if verdict in ("on_plan", "unknown"):
            return "Every open milestone is on track for its committed date."
        return (
            "No open milestone has reached its committed date yet, but the work is "
            f"{'well ' if verdict == 'well_behind' else ''}behind plan: "
            f"{format_percent(schedule['spi'])} of the work planned by now is done "
            f"(SPI {format_ratio(schedule['spi'])})."
        )
    parts = []
    for m in late:
        told = " (as we told you in advance)" if m["announced"] else ""
        state = "is forecast" if m["forecast"] and not _overdue(m) else "is"
        parts.append(f"{m['name']} {state} {plural(m['days_late'], 'day')} late{told}")
    return listing(parts) + "."


def _overdue(milestone: Mapping[str, Any]) -> bool:
    return str(milestone["status"]).startswith("Overdue")


def change_request_sentence(section: Section) -> str:
    waiting = [c for c in section["change_requests"] if c["status"] == "submitted"]
    decided = [c for c in section["change_requests"] if c["status"] != "submitted"]
    currency, parts = section["currency"], []
    if waiting:
        items = [f"{c['title']}, {_impact(c, currency)}" for c in waiting]
        verb = "awaits" if len(waiting) == 1 else "await"
        noun = plural(len(waiting), "change request")
        parts.append(f"{noun} {verb} your decision ({'; '.join(items)})")
    for c in decided:
        parts.append(f"{c['title']} was {c['status']} on {day(c['decided_on'])}")
    return listing(parts) + "." if parts else ""


def _impact(change: Mapping[str, Any], currency: str) -> str:
    money = format_money(change["cost_impact"], currency)
    days = change["schedule_impact_days"]
    return money + (f", {days:+d} days" if days else "")


def issues_sentence(section: Section) -> str:
    issues = section["quality_issues"]
    if not issues:
        return ""
    named = [f"{i['title']} ({i['severity_label'].lower()})" for i in issues[:3]]
    more = f" and {len(issues) - 3} more" if len(issues) > 3 else ""
    verb = "is" if len(issues) == 1 else "are"
    return f"{plural(len(issues), 'quality issue')} {verb} open: {listing(named)}{more}."


def next_steps_sentence(section: Section, as_of: str) -> str:
    upcoming = [
        m
        for m in section["milestones"]
        if not m["delivered"] and not m["cancelled"] and m["committed"] >= as_of
    ][:2]
    if not upcoming:
        return ""
    items = [f"{m['name']} ({short_day(m['forecast'] or m['committed'])})" for m in upcoming]
    return f"Next: {listing(items)}."


def commitments_sentence(commitments: Mapping[str, Sequence[Mapping[str, str]]]) -> str:
    overdue, due = commitments.get("overdue", []), commitments.get("due", [])
    parts = []
    if overdue:
        items = listing([c["description"] for c in overdue[:3]])
        parts.append(f"We owe you {plural(len(overdue), 'promised item')} now overdue ({items})")
    if due:
        items = listing([f"{c['description']} by {short_day(c['due_on'])}" for c in due[:3]])
        parts.append(f"we will deliver {items}" if overdue else f"We will deliver {items}")
    return "; ".join(parts) + "." if parts else ""
