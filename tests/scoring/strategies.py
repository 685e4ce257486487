"""Hypothesis strategies for one client's facts around a fixed day T."""

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta

from hypothesis import strategies as st

from trustledger.scoring import indicators as ind
from trustledger.scoring.index import IndexSettings, IndicatorResult

T = date(2025, 6, 30)
SETTINGS = IndexSettings()


def days(low: int, high: int) -> st.SearchStrategy[date]:
    """Days from T + low to T + high."""
    return st.integers(low, high).map(lambda n: T + timedelta(days=n))


ANY_DAY = days(-250, 60)  # before the window, in it, and after T
LATER = days(1, 60)


def maybe(strategy):
    return st.none() | strategy


def at_hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


@st.composite
def inquiries(draw, day):
    received = at_hour(draw(day), draw(st.integers(0, 23)))
    sla_due = received + timedelta(hours=draw(st.integers(1, 72)))
    response = draw(maybe(st.integers(0, 200).map(lambda h: received + timedelta(hours=h))))
    return ind.Inquiry("question", received, sla_due, response)


def milestones(day):
    return st.builds(ind.Milestone, st.just("M"), day, st.integers(0, 15), maybe(day), maybe(day))


def answers(day):
    return st.builds(ind.NpsAnswer, st.just("Ada"), day, st.integers(0, 10))


@dataclass(frozen=True)
class Facts:
    """Everything the thirteen indicators of one client read."""

    milestones: list = field(default_factory=list)
    active: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    work: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    slips: list = field(default_factory=list)
    commitments: list = field(default_factory=list)
    inquiries: list = field(default_factory=list)
    periods: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    remarks: list = field(default_factory=list)
    signals: list = field(default_factory=list)

    def __add__(self, other: "Facts") -> "Facts":
        return Facts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


def facts(day: st.SearchStrategy[date] = ANY_DAY, max_size: int = 4) -> st.SearchStrategy[Facts]:
    """Facts whose every date is drawn from `day`."""

    def few(strategy):
        return st.lists(strategy, max_size=max_size)

    return st.builds(
        Facts,
        milestones=few(milestones(day)),
        active=few(st.builds(ind.ActiveBudget, st.just("E"), day, st.floats(0, 2))),
        closed=few(st.builds(ind.ClosedBudget, st.just("E"), day, st.booleans())),
        reviews=few(st.builds(ind.Review, st.just("D"), day, st.booleans())),
        issues=few(
            st.builds(
                ind.ClientIssue, st.just("I"), day, st.sampled_from(list(ind.SEVERITY_WEIGHTS))
            )
        ),
        outcomes=few(
            st.integers(1, 5).flatmap(
                lambda total: st.builds(
                    ind.Outcome, st.just("E"), day, st.integers(0, total), st.just(total)
                )
            )
        ),
        work=few(
            st.builds(ind.ScopeWork, st.just("W"), day, st.floats(0, 40), maybe(st.booleans()))
        ),
        changes=few(st.builds(ind.ChangeRequest, st.just("C"), day, maybe(day))),
        slips=few(st.builds(ind.Slip, st.just("S"), day, maybe(st.builds(ind.Told, day, day)))),
        commitments=few(st.builds(ind.DueItem, st.just("P"), day, maybe(day))),
        inquiries=few(inquiries(day)),
        periods=few(
            st.builds(ind.CadencePeriod, st.sampled_from(["check-in", "review"]), day, maybe(day))
        ),
        follow_ups=few(st.builds(ind.DueItem, st.just("F"), day, maybe(day))),
        answers=few(answers(day)),
        remarks=few(st.builds(ind.Remark, st.just("R"), day, st.floats(-1, 1))),
        signals=few(
            st.builds(ind.LoyaltySignal, st.just("L"), day, st.sampled_from(ind.LOYALTY_KINDS))
        ),
    )


def all_indicators(
    f: Facts, as_of: date = T, settings: IndexSettings = SETTINGS
) -> list[IndicatorResult]:
    when = {"as_of": as_of, "settings": settings}
    return [
        ind.on_time(f.milestones, **when),
        ind.budget(f.active, f.closed, **when),
        ind.quality(f.reviews, f.issues, **when),
        ind.outcomes(f.outcomes, **when),
        ind.scope_control(f.work, f.changes, **when),
        ind.no_surprises(f.slips, **when),
        ind.commitments(f.commitments, **when),
        ind.responsiveness(f.inquiries, **when),
        ind.cadence(f.periods, **when),
        ind.closing_loop(f.follow_ups, **when),
        ind.recommendation(f.answers, **when),
        ind.sentiment(f.remarks, **when),
        ind.loyalty(f.signals, **when),
    ]


def _day_of(value: date | datetime | ind.Told) -> date:
    if isinstance(value, ind.Told):
        return value.counts_from  # a notice is known from when it counts
    return value.date() if isinstance(value, datetime) else value


def forget_later_facts(item, as_of: date = T):
    """The item as known on as_of: optional dates (delivered, answered...) after it become None."""
    later = {
        f.name: None
        for f in fields(item)
        if f.default is None
        and getattr(item, f.name) is not None
        and _day_of(getattr(item, f.name)) > as_of
    }
    return replace(item, **later)
