from dataclasses import fields, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import (
    ANY_DAY,
    LATER,
    SETTINGS,
    Facts,
    T,
    all_indicators,
    answers,
    at_hour,
    days,
    facts,
    forget_later_facts,
    inquiries,
    milestones,
)
from trustledger.scoring import indicators as ind
from trustledger.scoring.index import IndexSettings, compute_index

NO_DECAY = IndexSettings(half_life_days=1e12)
WHEN = {"as_of": T, "settings": SETTINGS}


def ago(n):
    return T - timedelta(days=n)


def test_on_time_weighs_lateness_and_recency():
    milestones = [
        ind.Milestone("Kickoff", ago(180), 0, delivered=ago(180)),  # 100, weight 0.25
        ind.Milestone("Design", ago(90), 10, delivered=ago(86)),  # 4 of 10 buffer days: 80, 0.5
        ind.Milestone("Build", ago(90), 5),  # undelivered, 90 days late: 0, weight 0.5
        ind.Milestone("Ancient", ago(181), 0),  # outside the window
        ind.Milestone("Launch", T + timedelta(days=5), 0),  # not due yet
        ind.Milestone("Today", T, 0),  # due today, not late yet
    ]

    result = ind.on_time(milestones, **WHEN)

    assert result.score == pytest.approx(52)  # (0.25 * 100 + 0.5 * 80 + 0.5 * 0) / 1.25
    assert [e.impact for e in result.evidence] == pytest.approx([10, 12, -20])
    assert "not delivered, 90 days past due" in result.evidence[2].description


def test_lateness_within_the_buffer_costs_up_to_half_beyond_it_everything():
    def score(days_late, buffer_days):
        m = ind.Milestone("M", ago(30), buffer_days, delivered=ago(30 - days_late))
        return ind.on_time([m], **WHEN).score

    assert [score(n, 10) for n in (-3, 0, 1, 5, 10, 11)] == [100, 100, 95, 75, 50, 0]
    assert score(1, 0) == 0


def test_no_milestone_due_means_no_data():
    result = ind.on_time([ind.Milestone("Later", T + timedelta(days=1), 3)], **WHEN)

    assert result.score is None
    assert result.evidence == ()


def test_budget_scores_cpi_of_active_and_verdict_of_closed_engagements():
    active = [ind.ActiveBudget("Audit", T, 0.9)]  # 80, weight 1
    closed = [ind.ClosedBudget("Tax", ago(90), within_budget=False)]  # 0, weight 0.5

    assert ind.budget(active, closed, **WHEN).score == pytest.approx(80 / 1.5)
    assert ind.budget([ind.ActiveBudget("A", T, 1.2)], [], **WHEN).score == 100
    assert ind.budget([ind.ActiveBudget("A", T, 0.4)], [], **WHEN).score == 0


def test_quality_counts_client_found_issues_as_failures_weighted_by_severity():
    reviews = [ind.Review("Report", T, True), ind.Review("Model", T, False)]
    critical = [ind.ClientIssue("Wrong totals", T, "critical")]
    low = [ind.ClientIssue("Typo", T, "low")]

    assert ind.quality(reviews, critical, **WHEN).score == pytest.approx(100 / 6)
    assert ind.quality(reviews[:1], low, **WHEN).score == pytest.approx(100 / 1.5)
    with pytest.raises(ValueError, match="severity"):
        ind.ClientIssue("?", T, "severe")


def test_outcomes_score_the_share_of_success_criteria_met():
    closed = [ind.Outcome("A", T, 3, 4), ind.Outcome("B", ago(90), 1, 2)]

    assert ind.outcomes(closed, **WHEN).score == pytest.approx((75 + 0.5 * 50) / 1.5)
    with pytest.raises(ValueError, match="criteria"):
        ind.Outcome("C", T, 3, 2)


def test_scope_control_weighs_hours_and_change_requests_equally():
    work = [ind.ScopeWork("Agreed", T, 30, True), ind.ScopeWork("Extra", T, 10, False)]
    changes = [
        ind.ChangeRequest("Portal", T, approved_on=ago(2)),  # approved before the work
        ind.ChangeRequest("Export", T, approved_on=T + timedelta(days=3)),  # not yet approved
    ]

    assert ind.scope_control(work, changes, **WHEN).score == pytest.approx((75 + 50) / 2)
    assert ind.scope_control(work, [], **WHEN).score == pytest.approx(75)


def test_unclassified_hours_count_neither_for_nor_against_scope_control():
    work = [ind.ScopeWork("Agreed", T, 30, True), ind.ScopeWork("Extra", T, 10, False)]
    unclassified = [ind.ScopeWork("Imported", ago(3), 45, None), ind.ScopeWork("PM", T, 5, None)]

    result = ind.scope_control(work + unclassified, [], **WHEN)

    assert result.score == pytest.approx(75)
    note = result.evidence[-1]
    assert (note.date, note.impact) == (T, 0)
    assert note.description.startswith("50 h unclassified") and "not counted" in note.description


def test_only_unclassified_hours_leave_scope_control_without_data_but_say_why():
    result = ind.scope_control([ind.ScopeWork("Imported", ago(3), 12, None)], [], **WHEN)

    assert result.score is None
    (note,) = result.evidence
    assert note.impact == 0 and "12 h unclassified" in note.description


def test_unclassified_hours_outside_the_window_are_not_mentioned():
    old = ind.ScopeWork("Imported", ago(SETTINGS.window_days + 1), 12, None)

    assert ind.scope_control([old], [], **WHEN).evidence == ()


@given(st.lists(st.builds(ind.ScopeWork, st.just("W"), ANY_DAY, st.floats(0, 40), st.booleans())))
def test_adding_unclassified_hours_never_changes_scope_control(work):
    unclassified = ind.ScopeWork("Imported", ago(2), 8, None)

    before = ind.scope_control(work, [], **WHEN).score
    after = ind.scope_control([*work, unclassified], [], **WHEN).score

    assert after == before


def test_no_surprises_rewards_telling_early():
    def score(told_days_before):
        day = None if told_days_before is None else ago(5 + told_days_before)
        told = None if day is None else ind.Told(day, day)
        return ind.no_surprises([ind.Slip("Slip", ago(5), told)], **WHEN).score

    assert [score(n) for n in (30, 14, 7, 0, -1, None)] == [100, 100, 75, 50, 0, 0]


def test_commitments_count_only_what_was_done_by_its_due_date():
    items = [
        ind.DueItem("Send plan", ago(1), done=ago(2)),
        ind.DueItem("Send minutes", ago(1), done=T),  # late
        ind.DueItem("Call back", ago(1)),  # still open
        ind.DueItem("Review", T),  # due today: not judged yet
        ind.DueItem("Train", T + timedelta(days=1), done=ago(3)),  # not due yet
    ]

    result = ind.commitments(items, **WHEN)

    assert result.score == pytest.approx(100 / 3)
    assert len(result.evidence) == 3
    assert ind.closing_loop(items, **WHEN).score == pytest.approx(100 / 3)


def test_responsiveness_rewards_speed_within_the_sla_and_zeroes_a_breach():
    def inquiry(response_hours, received_day=T):
        received = at_hour(received_day, 8)
        response = None if response_hours is None else received + timedelta(hours=response_hours)
        return ind.Inquiry("Q", received, received + timedelta(hours=4), response)

    def score(*items):
        return ind.responsiveness(items, **WHEN).score

    assert score(inquiry(1)) == pytest.approx(93.75)  # 100 - 25 * 1/4
    assert score(inquiry(4)) == 75
    assert score(inquiry(5)) == 0
    assert score(inquiry(None, received_day=ago(2))) == 0  # open, SLA passed
    assert score(inquiry(None)) is None  # open, SLA not passed before today
    assert score(inquiry(1), inquiry(5)) == pytest.approx(93.75 / 2)


def test_cadence_gives_every_kind_of_touch_the_same_weight():
    periods = [
        ind.CadencePeriod("check-in", ago(21), held_on=ago(22)),
        ind.CadencePeriod("check-in", ago(14), held_on=ago(14)),
        ind.CadencePeriod("check-in", ago(7)),  # missed
        ind.CadencePeriod("check-in", T, held_on=T),
        ind.CadencePeriod("check-in", ago(1), held_on=T),  # held late: missed
        ind.CadencePeriod("business review", ago(30)),  # missed
    ]

    result = ind.cadence(periods, as_of=T, settings=NO_DECAY)

    assert result.score == pytest.approx((60 + 0) / 2)  # 3 of 5 check-ins, 0 of 1 reviews


def test_recommendation_is_half_of_nps_plus_100_with_decay():
    today = [ind.NpsAnswer("Ada", T, s) for s in (10, 8, 3)]
    mixed = [ind.NpsAnswer("Ada", T, 10), ind.NpsAnswer("Bo", ago(90), 0)]

    assert ind.recommendation(today, **WHEN).score == pytest.approx(50)  # NPS 0
    # decayed NPS = (1 - 0.5) / 1.5 = 1/3 -> (33.3 + 100) / 2
    assert ind.recommendation(mixed, **WHEN).score == pytest.approx(200 / 3)
    with pytest.raises(ValueError, match="0 to 10"):
        ind.NpsAnswer("Ada", T, 11)


def test_sentiment_maps_minus_one_to_one_onto_0_to_100():
    remarks = [ind.Remark("Great work", T, 0.5), ind.Remark("Angry call", T, -1)]

    assert ind.sentiment(remarks, **WHEN).score == pytest.approx(37.5)


def test_loyalty_counts_shrinking_spend_against():
    signals = [
        ind.LoyaltySignal("New project", T, "repeat_engagement"),
        ind.LoyaltySignal("Referred Beta", T, "referral"),
        ind.LoyaltySignal("Cut retainer", T, "shrinking_spend"),
    ]

    assert ind.loyalty(signals, **WHEN).score == pytest.approx(200 / 3)


def test_events_older_than_the_window_are_excluded():
    settings = IndexSettings(window_days=30)
    answers = [ind.NpsAnswer("Ada", ago(31), 0), ind.NpsAnswer("Bo", ago(30), 10)]

    assert ind.recommendation(answers, as_of=T, settings=settings).score == 100


@given(facts(), facts(LATER))
def test_facts_dated_after_the_day_never_change_an_indicator_or_the_index(known, later):
    before = all_indicators(known)

    assert all_indicators(known + later) == before
    assert compute_index(all_indicators(known + later), SETTINGS) == compute_index(before, SETTINGS)


@given(facts())
def test_facts_learnt_after_the_day_are_as_good_as_unknown(known):
    forgotten = Facts(
        **{f.name: [forget_later_facts(i) for i in getattr(known, f.name)] for f in fields(known)}
    )

    assert all_indicators(forgotten) == all_indicators(known)


@given(facts())
def test_scores_lie_within_0_and_100_and_are_50_plus_their_impacts(known):
    for result in all_indicators(known):
        if result.score is None:
            assert all(e.impact == 0 for e in result.evidence), "only notes: nothing was scored"
        else:
            assert 0 <= result.score <= 100
            assert result.score == pytest.approx(50 + sum(e.impact for e in result.evidence))


def days_late_on_t(m):
    """A delivery after T is not known on T: the milestone is then still open."""
    delivered = m.delivered if m.delivered is not None and m.delivered <= T else T
    return (delivered - m.committed).days


late_milestones = st.builds(
    ind.Milestone, st.just("Late"), days(-150, -1), st.integers(0, 10), st.none() | days(-150, 60)
).filter(lambda m: days_late_on_t(m) > m.buffer_days)


@given(st.lists(milestones(ANY_DAY), max_size=6), late_milestones)
def test_a_milestone_late_beyond_its_buffer_never_raises_on_time(known, late):
    before = ind.on_time(known, **WHEN).score
    after = ind.on_time([*known, late], **WHEN).score

    assert before is None or after <= before + 1e-9


@given(st.lists(milestones(ANY_DAY), min_size=1, max_size=6), st.integers(0, 5), st.integers(1, 40))
def test_delivering_a_milestone_later_never_raises_on_time(known, which, delay):
    i = which % len(known)
    m = known[i]
    later = replace(
        m, delivered=None if m.delivered is None else m.delivered + timedelta(days=delay)
    )
    changed = [*known[:i], later, *known[i + 1 :]]

    before = ind.on_time(known, **WHEN).score
    after = ind.on_time(changed, **WHEN).score

    assert before is None or after is None or after <= before + 1e-9


def breached_on_t(q):
    """Known on T to have missed its SLA: answered late by T, or unanswered on T and due before."""
    if q.first_response is not None and q.first_response.date() <= T:
        return q.first_response > q.sla_due
    return q.sla_due.date() < T


breached = inquiries(days(-150, 0)).filter(breached_on_t)


@given(st.lists(inquiries(ANY_DAY), max_size=6), breached)
def test_a_breached_sla_never_raises_responsiveness(known, inquiry):
    before = ind.responsiveness(known, **WHEN).score
    after = ind.responsiveness([*known, inquiry], **WHEN).score

    assert after is not None
    assert before is None or after <= before + 1e-9


@given(st.lists(answers(ANY_DAY), max_size=6), days(-180, 0), st.integers(0, 6))
def test_a_detractor_answer_never_raises_recommendation(known, day, score):
    before = ind.recommendation(known, **WHEN).score
    after = ind.recommendation([*known, ind.NpsAnswer("Ada", day, score)], **WHEN).score

    assert before is None or after <= before + 1e-9


def test_responsiveness_counts_the_response_in_business_hours_of_the_sla():
    # Friday 16:30, answered Monday 10:00 on a 9-to-5 calendar: 1.5 of the 8 business hours
    # (65.5 hours by the wall clock); the deadline is Monday 15:30.
    received = datetime(2025, 6, 27, 16, 30)
    q = ind.Inquiry(
        "Weekend question",
        received,
        datetime(2025, 6, 30, 15, 30),
        datetime(2025, 6, 30, 10),
        response_hours=1.5,
        sla_hours=8,
    )

    result = ind.responsiveness([q], **WHEN)

    assert result.score == pytest.approx(100 - 25 * 1.5 / 8)
    assert result.evidence[0].description == (
        "Weekend question: first response after 1.5 business hours (19% of the 8 h SLA)"
    )


def test_an_answer_after_the_deadline_is_a_breach_even_with_no_business_hours_used():
    # Due at closing time Friday 17:00; answered at 18:00, when the firm was closed.
    received = datetime(2025, 6, 27, 9)
    q = ind.Inquiry(
        "Q", received, received.replace(hour=17), received.replace(hour=18), 8.0, sla_hours=8
    )

    assert ind.responsiveness([q], **WHEN).score == 0


def test_inquiry_times_must_be_consistent():
    now = datetime(2025, 6, 30, 9)
    with pytest.raises(ValueError, match="sla_due"):
        ind.Inquiry("Q", now, now)
    with pytest.raises(ValueError, match="first_response"):
        ind.Inquiry("Q", now, now + timedelta(hours=1), now - timedelta(hours=1))
