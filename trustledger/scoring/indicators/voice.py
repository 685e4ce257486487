"""Voice: recommendation, sentiment and loyalty."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from trustledger.scoring.index import (
    IndexSettings,
    IndicatorResult,
)
from trustledger.scoring.indicators._events import (
    NEUTRAL,
    _Event,
    _indicator,
    _pass_fail,
)
from trustledger.scoring.nps import category, validate_score


@dataclass(frozen=True, slots=True)
class NpsAnswer:
    """A contact's answer 0-10 to "how likely are you to recommend us?"."""

    contact: str
    answered_on: date
    score: int

    def __post_init__(self) -> None:
        validate_score(self.score)


_ANSWER_SCORES: Mapping[str, float] = MappingProxyType(
    {"promoter": 100.0, "passive": 50.0, "detractor": 0.0}
)


def recommendation(
    answers: Iterable[NpsAnswer], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """(NPS + 100) / 2 with decay: promoters score 100, passives 50, detractors 0."""
    events = []
    for a in answers:
        kind = category(a.score)
        text = f"{a.contact} answered {a.score} ({kind})"
        events.append(_Event(a.answered_on, _ANSWER_SCORES[kind], text))
    return _indicator("recommendation", events, as_of, settings)


@dataclass(frozen=True, slots=True)
class Remark:
    """The sentiment (-1 negative .. 1 positive) of a piece of feedback or a logged remark."""

    description: str
    day: date
    sentiment: float

    def __post_init__(self) -> None:
        if not -1 <= self.sentiment <= 1:
            raise ValueError("sentiment must be within [-1, 1]")


def sentiment(
    remarks: Iterable[Remark], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Sentiment mapped from [-1, 1] to [0, 100]."""
    events = (_Event(r.day, NEUTRAL * (r.sentiment + 1), r.description) for r in remarks)
    return _indicator("sentiment", events, as_of, settings)


type LoyaltyKind = Literal["repeat_engagement", "referral", "scope_growth", "shrinking_spend"]
LOYALTY_KINDS: tuple[str, ...] = (
    "repeat_engagement",
    "referral",
    "scope_growth",
    "shrinking_spend",
)


@dataclass(frozen=True, slots=True)
class LoyaltySignal:
    """A loyal behaviour (repeat engagement, referral given, scope growth) or shrinking spend."""

    description: str
    day: date
    kind: LoyaltyKind

    def __post_init__(self) -> None:
        if self.kind not in LOYALTY_KINDS:
            raise ValueError(f"unknown loyalty signal {self.kind!r}")


def loyalty(
    signals: Iterable[LoyaltySignal], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Share of loyalty signals that are loyal: shrinking spend scores 0, the others 100."""
    events = (_pass_fail(s.day, s.kind != "shrinking_spend", s.description) for s in signals)
    return _indicator("loyalty", events, as_of, settings)
