"""One client's facts as the indicators take them, and the scoring of them into the index.

The signals layer fills a ``ClientFacts`` per client from the database; everything from here on is
pure, so the same code serves the live index, the weekly snapshots and the backtest.
"""

from dataclasses import dataclass, field
from datetime import date

from trustledger.scoring import indicators as ind
from trustledger.scoring.index import IndexResult, IndexSettings, IndicatorResult, compute_index


@dataclass
class ClientFacts:
    """Everything known about one client as of a date, grouped by the indicator that reads it."""

    milestones: list[ind.Milestone] = field(default_factory=list)
    active_budgets: list[ind.ActiveBudget] = field(default_factory=list)
    closed_budgets: list[ind.ClosedBudget] = field(default_factory=list)
    reviews: list[ind.Review] = field(default_factory=list)
    client_issues: list[ind.ClientIssue] = field(default_factory=list)
    outcomes: list[ind.Outcome] = field(default_factory=list)
    scope_work: list[ind.ScopeWork] = field(default_factory=list)
    change_requests: list[ind.ChangeRequest] = field(default_factory=list)
    slips: list[ind.Slip] = field(default_factory=list)
    commitments: list[ind.DueItem] = field(default_factory=list)
    inquiries: list[ind.Inquiry] = field(default_factory=list)
    cadence_periods: list[ind.CadencePeriod] = field(default_factory=list)
    follow_ups: list[ind.DueItem] = field(default_factory=list)
    nps_answers: list[ind.NpsAnswer] = field(default_factory=list)
    remarks: list[ind.Remark] = field(default_factory=list)
    loyalty: list[ind.LoyaltySignal] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreCard:
    index: IndexResult
    indicators: tuple[IndicatorResult, ...]


def score_client(facts: ClientFacts, *, as_of: date, settings: IndexSettings) -> ScoreCard:
    """All thirteen indicators and the index for one client as of ``as_of``."""
    results = (
        ind.on_time(facts.milestones, as_of=as_of, settings=settings),
        ind.budget(facts.active_budgets, facts.closed_budgets, as_of=as_of, settings=settings),
        ind.quality(facts.reviews, facts.client_issues, as_of=as_of, settings=settings),
        ind.outcomes(facts.outcomes, as_of=as_of, settings=settings),
        ind.scope_control(facts.scope_work, facts.change_requests, as_of=as_of, settings=settings),
        ind.no_surprises(facts.slips, as_of=as_of, settings=settings),
        ind.commitments(facts.commitments, as_of=as_of, settings=settings),
        ind.responsiveness(facts.inquiries, as_of=as_of, settings=settings),
        ind.cadence(facts.cadence_periods, as_of=as_of, settings=settings),
        ind.closing_loop(facts.follow_ups, as_of=as_of, settings=settings),
        ind.recommendation(facts.nps_answers, as_of=as_of, settings=settings),
        ind.sentiment(facts.remarks, as_of=as_of, settings=settings),
        ind.loyalty(facts.loyalty, as_of=as_of, settings=settings),
    )
    return ScoreCard(index=compute_index(results, settings), indicators=results)
