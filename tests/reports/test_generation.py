"""A report drafted from a hand-built engagement: every section comes from the facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.reports.scenario import build
from trustledger.engagements import selectors as engagement_selectors
from trustledger.reports import services
from trustledger.reports.narrative import draft_narrative


@pytest.fixture
def scenario(personas):
    return build(personas)


@pytest.fixture
def report(scenario, personas):
    return services.draft_report(
        personas.client_a, engagement=scenario.engagement, by=personas.amir, today=scenario.today
    )


def section(report):
    (only,) = report.snapshot["engagements"]
    return only


def test_the_period_starts_the_day_after_the_last_sent_report(report, scenario):
    assert report.period_start == scenario.day(-29)
    assert report.period_end == scenario.today
    assert report.snapshot["period"] == {
        "start": scenario.day(-29).isoformat(),
        "end": scenario.today.isoformat(),
    }


def test_progress_counts_only_what_happened_in_the_period(report, scenario):
    progress = section(report)["progress"]
    assert [m["name"] for m in progress["milestones_reached"]] == ["Vendor longlist"]
    assert progress["milestones_reached"][0]["days_late"] == 10
    assert [d["name"] for d in progress["deliverables_accepted"]] == ["Longlist report"]
    # weekly entries on days -119 + 7k: those within the last 30 days
    in_period = [k for k in range(17) if -29 <= -119 + 7 * k <= 0]
    assert progress["hours"] == 10.0 * len(in_period)
    assert progress["billed"] == 1500.0 * len(in_period)


def test_milestones_show_committed_against_forecast_with_the_page_verdicts(report, scenario):
    rows = {m["name"]: m for m in section(report)["milestones"]}
    assert list(rows) == [
        "Requirements signed",
        "Vendor longlist",
        "Shortlist and demos",
        "Final recommendation",
        "Contract signed",
    ]
    assert rows["Shortlist and demos"]["status"] == "Overdue 5 d"
    assert rows["Shortlist and demos"]["late"] is True
    assert rows["Final recommendation"]["forecast"] == scenario.day(40).isoformat()
    assert rows["Final recommendation"]["status"] == "Forecast 10 d late"
    assert rows["Vendor longlist"]["announced"] is True
    assert rows["Contract signed"]["days_late"] == 0


def test_budget_and_forecast_are_the_engagement_selectors_figures(report, scenario):
    budget = section(report)["budget"]
    burn = engagement_selectors.burn(scenario.engagement, scenario.today)
    evm = engagement_selectors.evm(scenario.engagement, scenario.today)
    assert evm is not None and evm.eac is not None
    assert budget["billed"] == float(burn.billed) == 17 * 1500.0
    assert budget["budget"] == 60000.0
    assert budget["eac"] == round(evm.eac, 2)
    assert budget["cpi"] == round(evm.cpi or 0, 2)
    assert budget["burned_share"] == pytest.approx(25500 / 60000)
    # the burn chart's weekly points end with everything burned so far
    assert budget["points"][-1][1] == 25500.0


def test_change_requests_are_those_awaiting_a_decision_or_decided_in_the_period(report):
    changes = {c["title"]: c for c in section(report)["change_requests"]}
    assert set(changes) == {"Third demo round", "Data migration assessment"}
    assert changes["Data migration assessment"]["status"] == "submitted"
    assert changes["Data migration assessment"]["cost_impact"] == 6000.0
    assert changes["Third demo round"]["status"] == "approved"


def test_risks_are_open_quality_issues_slipping_milestones_and_overdue_promises(report):
    assert [q["title"] for q in section(report)["quality_issues"]] == ["Scores do not add up"]
    commitments = report.snapshot["commitments"]
    assert [c["description"] for c in commitments["overdue"]] == ["Send the demo agenda"]


def test_next_steps_are_upcoming_milestones_and_promises_due(report, scenario):
    commitments = report.snapshot["commitments"]
    assert [c["description"] for c in commitments["due"]] == ["Share vendor pricing"]
    upcoming = [
        m["name"]
        for m in section(report)["milestones"]
        if not m["delivered"] and m["committed"] >= scenario.today.isoformat()
    ]
    assert upcoming == ["Final recommendation", "Contract signed"]


def test_the_narrative_is_drafted_from_the_facts(report):
    text = report.narrative
    assert report.drafted_narrative == text
    assert "we reached 1 milestone (Vendor longlist)" in text
    assert "you accepted 1 deliverable (Longlist report)" in text
    # 42.5% rounds half up, as on every page (Python's "{:.0%}" said 42%)
    assert "€25,500 of the €60,000 budget is spent (43%)" in text
    assert "Shortlist and demos is 5 days late" in text
    assert "Final recommendation is forecast 10 days late" in text
    assert (
        "1 change request awaits your decision (Data migration assessment, €6,000, +14 days)"
        in (text)
    )
    assert "Third demo round was approved on" in text
    assert "1 quality issue is open: Scores do not add up (high)" in text
    assert "Next: Final recommendation" in text
    assert "now overdue (Send the demo agenda)" in text
    assert "Share vendor pricing by" in text


def test_the_narrative_is_deterministic(report):
    assert draft_narrative(report.snapshot) == draft_narrative(report.snapshot)


def test_a_client_report_covers_each_current_engagement(scenario, personas):
    from tests.engagements.factories import EngagementFactory

    EngagementFactory(
        client=personas.client_a,
        name="Data platform",
        start_date=scenario.day(-10),
        end_date=scenario.day(90),
    )
    EngagementFactory(client=personas.client_a, name="Old audit", status="closed")
    report = services.draft_report(personas.client_a, by=personas.alice, today=scenario.today)
    names = [s["name"] for s in report.snapshot["engagements"]]
    assert names == ["ERP selection", "Data platform"]
    assert report.engagement is None
    assert report.narrative.startswith("ERP selection: ")
    assert "\n\nData platform: " in report.narrative


def test_a_first_report_covers_the_work_since_its_start(personas):
    from tests.engagements.factories import EngagementFactory, TimeEntryFactory

    e = EngagementFactory(client=personas.client_a, name="Fresh")
    TimeEntryFactory(engagement=e, date=e.start_date, hours=Decimal(3))
    today = e.start_date + dt.timedelta(days=3)
    report = services.draft_report(personas.client_a, engagement=e, by=None, today=today)
    assert report.period_start == e.start_date
    assert section(report)["progress"]["hours"] == 3.0
    assert "no milestone fell due for delivery and the team logged 3 hours" in report.narrative


def test_a_proposed_engagement_cannot_be_reported_on(personas):
    from tests.engagements.factories import EngagementFactory

    e = EngagementFactory(client=personas.client_a, status="proposed")
    with pytest.raises(services.DomainError) as refused:
        services.draft_report(personas.client_a, engagement=e, by=personas.amir)
    assert refused.value.field == "engagement"


def test_a_client_without_current_engagements_has_nothing_to_report(personas):
    with pytest.raises(services.DomainError) as refused:
        services.draft_report(personas.other_client_a, by=personas.alice)
    assert refused.value.field == "client"
