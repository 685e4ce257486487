"""Sentiment of a feedback comment: VADER tuned to client-services language, blended with a
small learned model.

Out of the box VADER reads "surprise invoice" as good news, "late" and "chase" as neutral and
"please" as praise. We fix that in three cheap layers:

1. a domain word lexicon merged into VADER's own (single words);
2. domain phrases rewritten into synthetic tokens before scoring, so that VADER's negation,
   boosters and "but" handling still apply to them ("never missed a deadline" is the negation
   of a negative phrase, "not on time" of a positive one);
3. sarcasm cues ("Oh great, another revised timeline") that flip a positive surface to negative.

A linear model trained on the shipped training set then supplies what a lexicon cannot (requests
and questions are neutral, "Budget? What budget." is not), and the two are averaged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from trustledger.feedback.analysis.themes import (
    MARGIN_SCALE,
    LabelledText,
    is_contentless,
    load_labelled,
    ngram_features,
    softmax,
)

SentimentLabel = Literal["positive", "negative", "neutral"]

# Tuned on the dev split: the weight of the lexicon score in the blend, and the half-width of
# the band around zero that counts as neutral.
LEXICON_WEIGHT = 0.8
NEUTRAL_BAND = 0.05
SARCASM_SCORE = -0.5
# Clients wrap complaints in politeness ("Lovely people. Terrible at sticking to a budget."), so
# a negative word outweighs a positive one; and a polite request phrased as a question is neutral.
NEGATIVE_EMPHASIS = 1.5
REQUEST_DAMPING = 0.3
_REQUEST = re.compile(
    r"^(?!.*\b(why|just|again|still|ever|never|higher than|more than)\b)\W*("
    r"(could|can|would|will|may) (you|we|i|someone|the|our)\b|(could|can|would|will|may)\b.*\?\W*$"
    r"|(please|kindly|let us know|who|what|when|where|is there|are there|do you|does)\b)",
    re.IGNORECASE,
)

# Valences on VADER's scale (-4..4). Words VADER lacks, or scores wrongly for this domain.
# fmt: off
_DOMAIN_WORDS: dict[str, float] = {
    "late": -1.5, "lateness": -1.8, "delays": -1.5, "delayed": -1.3, "overdue": -1.5,
    "slipped": -1.3, "slipping": -1.3, "slips": -1.0, "slip": -1.0, "postponed": -1.0,
    "overran": -1.5, "overrun": -1.5, "overruns": -1.5, "dragged": -1.0, "behind": -0.6,
    "unanswered": -1.8, "chase": -1.2, "chased": -1.2, "chasing": -1.2, "silent": -1.0,
    "silence": -1.0, "unresponsive": -2.0, "ignoring": -1.3,
    "sloppy": -2.0, "rework": -1.5, "bug": -1.3, "bugs": -1.5, "buggy": -1.8, "typo": -1.2,
    "typos": -1.5, "crashes": -1.7, "crashed": -1.7, "crashing": -1.7, "inaccurate": -1.8,
    "inaccuracies": -1.8, "incorrect": -1.8, "incorect": -1.8, "unusable": -2.2,
    "riddled": -1.5, "superficial": -1.5, "shallow": -1.2, "generic": -0.8, "bland": -1.2,
    "rushed": -1.2, "botched": -2.0, "unreliable": -1.8, "clunky": -1.3, "bumpy": -1.0,
    "spammy": -1.3, "excessive": -1.0, "unrealistic": -1.2,
    "expensive": -1.0, "overpriced": -2.0, "pricey": -1.0, "steep": -0.8, "overbilled": -2.0,
    "overcharged": -2.0, "unexpected": -0.8, "hidden": -0.6, "ballooned": -1.5,
    "spiralled": -1.5, "spiraled": -1.5, "inflated": -1.2, "opaque": -1.2, "vague": -1.0,
    "surprise": -0.8, "surprises": -0.8, "surprised": -0.3, "meh": -1.0, "waiting": -0.5,
    "punctual": 2.0, "prompt": 1.5, "promptly": 1.5, "responsive": 1.8, "transparent": 1.5,
    "thorough": 1.8, "meticulous": 2.0, "rigorous": 1.5, "accurate": 1.5, "precise": 1.5,
    "insightful": 2.0, "knowledgeable": 1.8, "dependable": 1.8, "reliable": 1.8,
    "reliably": 1.5, "seamless": 2.0, "smoothly": 1.5, "proactively": 1.8, "early": 0.6,
    "solid": 1.5, "expertise": 0.8, "professional": 1.2, "competent": 1.5,
    "impossible": -1.8, "nightmare": -2.3, "downhill": -1.5, "letdown": -2.0, "dropped": -0.8,
    "dropping": -0.8, "skipped": -1.0, "slow": -1.2, "slowly": -0.8, "sluggish": -1.2,
    "poorly": -1.8, "hassle": -1.3, "lacking": -1.2, "rocky": -1.2, "doubled": -1.0,
    "again": -0.3, "fiction": -1.2, "hanging": -0.8, "unfinished": -1.0, "non-existent": -1.5,
    "nonexistent": -1.5, "disorganised": -1.8, "disorganized": -1.8, "amateurish": -2.0,
    "amateur": -1.2, "incompetent": -2.3, "patchy": -1.2, "scattered": -0.8, "ghosted": -1.8,
    "unclear": -1.0, "stuck": -1.0, "idle": -0.8, "fined": -1.5, "rescheduled": -0.6,
    "redo": -1.0, "rewrite": -0.8, "rejected": -1.5, "underwhelming": -1.8, "mediocre": -1.8,
    "inflexible": -1.2, "defensive": -1.0, "overbilling": -2.0,
    "quick": 1.2, "quickly": 1.2, "fast": 1.2, "speedy": 1.5, "swift": 1.5, "swiftly": 1.5,
    "exceptional": 2.8, "refreshing": 1.8, "stellar": 2.5, "smooth": 1.5, "sharp": 1.0,
    "answered": 0.5, "explained": 0.5, "available": 0.6, "listen": 0.8, "listens": 1.0,
    "listened": 0.8, "understands": 1.0, "attentive": 1.8, "approachable": 1.5, "diligent": 1.8,
    "organised": 1.2, "organized": 1.2, "accommodating": 1.5, "flexible": 1.2, "concise": 1.2,
    "detailed": 0.8, "renewing": 1.0, "renewed": 1.0, "saves": 1.5, "approval": 0.3,
    "approved": 0.5, "optimistic": 0.5, "agreed": 0.2, "extension": -0.8, "extensions": -0.8,
    # Common misspellings in survey comments.
    "exellent": 2.7, "excelent": 2.7, "thanku": 1.9, "thx": 1.5, "recomend": 1.5,
    "dissapointed": -2.1, "disapointed": -2.1, "dissapointing": -2.2, "terible": -2.1,
    "unacceptible": -2.0, "frustating": -1.9, "pity": -1.2,
    # Neutral in this domain: requests, service names, discourse markers.
    "please": 0.0, "support": 0.6, "credit": 0.5, "interested": 0.5, "interest": 0.5,
    "charity": 0.0, "honestly": 0.0, "fine": 0.2, "ok": 0.3, "okay": 0.3,
    "satisfactory": 0.5, "risk": -0.3, "risks": -0.3, "warning": 0.0, "help": 1.0,
}
# fmt: on

# (pattern, valence): each match becomes one synthetic token carrying the valence.
_PHRASES: tuple[tuple[str, float], ...] = (
    (r"(can't|cannot|couldn't) recommend .{0,25}enough", 2.5),
    (
        r"(could|should|needs? to|must) (be|have been|get) (a lot |much |far |a bit |a little )?"
        r"better|room for improvement|needs? (to )?improv\w*|(had|seen|used) better",
        -1.5,
    ),
    (
        r"(didn't|did not|never|only) (hear|find out|found out|learn|learned|know|knew|told|"
        r"informed)[\w ]{0,40}\b(until|after)|only (told|informed|heard|found out)",
        -1.5,
    ),
    (
        r"(doesn't|don't|didn't|won't|never|rarely) (reply|respond|answer|call back|get back|"
        r"return)",
        -1.8,
    ),
    (r"(shouldn't|should not|should never) (have|need) to", -1.5),
    (r"(isn't|is not|wasn't|aren't|not) (working|up to|there\b)", -1.5),
    (r"(wildly|overly|too|hopelessly|very) optimistic|apparently not|blank cheque", -1.3),
    (
        r"(burned|burnt|blew|blown) through|(rounds|round) of (corrections|edits|changes|revisions)"
        r"|(took|take|takes|taking) (much |far |a lot |a bit )?longer",
        -1.3,
    ),
    (
        r"past the (original |agreed |planned )?(completion |due |target |delivery )?"
        r"(date|deadline)|(when|until) (it|they) finally",
        -1.3,
    ),
    (r"(five|5) stars?", 2.0),
    (
        r"(don't|do not|doesn't|didn't|lack|lacks|lacked) (have )?(the )?(expertise|experience|"
        r"skills?|knowledge|capacity)",
        -1.5,
    ),
    (r"(took|takes|taken) (\w+ )?(weeks|months|ages)|should have (taken|been (done|ready))", -1.2),
    (
        r"(can't|cannot|don't|do not) (remember|recall|think of) (a|one|any|a single) [\w ]{0,30}"
        r"(miss|late|slip|error|mistake|problem|issue|complaint)\w*",
        1.8,
    ),
    (
        r"(saved|saves|protected|rescued) us from( a| an| the)?( \w+)? (error|mistake|penalty|fine|"
        r"problem|disaster|issue)s?",
        2.0,
    ),
    (
        r"(warned|told|flagged|alerted|informed) us [\w ]{0,20}(in advance|early|upfront|up front|"
        r"ahead)|in advance",
        1.5,
    ),
    (r"(don't|doesn't|didn't|never) (take|took) [\w ]{0,15}on board", -1.5),
    (
        r"even (when|if|though) (things|it|something|stuff) (went|go|goes|going) (wrong|badly|"
        r"sideways)|cost[- ]cutting",
        0.0,
    ),
    (r"after the (payment|due|filing|agreed|promised|signing|target) (date|deadline)", -1.3),
    (r"hear back|same (afternoon|morning)", 1.0),
    (r"please note|not applicable|(would|'d) be (interested|keen|glad)", 0.0),
    (
        r"(never|didn't|don't|did not|do not) (had|have|need(ed)?) to (chase|ask|remind|send|"
        r"follow up|push)|no need to (chase|ask|remind)",
        1.8,
    ),
    (
        r"not (really |quite |exactly )?(the|what) [\w ]{0,30}(we|i) (expect|expected|hoped|wanted|"
        r"asked for|paid for)|mean(s)? nothing",
        -1.8,
    ),
    (r"too (many|much|long|slow|late|high|close|expensive|often)", -1.5),
    (
        r"(higher|more|bigger|larger) than (quoted|expected|estimated|agreed|budgeted|planned|"
        r"promised)|(double|doubled|twice|triple|tripled) (the )?(estimate|quote|budget|price|cost)"
        r"|beyond the (estimate|quote|budget)|way (over|beyond|above)",
        -1.5,
    ),
    (
        r"without (asking|approval|agreement|consent|our (approval|agreement|sign-?off|consent|"
        r"permission))",
        -1.5,
    ),
    (
        r"(nobody|no one|never|not) (asked|requested|agreed|approved|warned|signed off|mentioned|"
        r"discussed|flagged)",
        -1.5,
    ),
    (
        r"(didn't|did not|don't|do not|never) (approve|agree|ask for|request|realise|realize|"
        r"expect)",
        -1.2,
    ),
    (
        r"after the fact|out the window|the hard way|let (us|me) down|box[- ]ticking|on the high "
        r"side|a blow|came and went|shouting into the void|waste of (time|money)",
        -1.5,
    ),
    (
        r"why (do|does|am|is|are|did|should|must) (i|we|every|each|it|this|the|they|you)"
        r"|what (budget|deadline|plan|timeline|schedule|quality)",
        -1.2,
    ),
    (
        r"(kept|keeps|keep) (moving|slipping|changing|dropping|crashing|growing|adding|asking|"
        r"getting told|breaking|logging|expanding)",
        -1.2,
    ),
    (r"(three|four|five|several|multiple|many) times|third time|yet again|once again", -1.0),
    (
        r"(can't|cannot|couldn't) (get|reach|trust|rely)|(hard|difficult|impossible) to (get|reach|"
        r"contact|find|know|trust|read|follow|understand|justify)",
        -1.5,
    ),
    (r"(don't|doesn't|didn't|never) (know|knew) (what|where|when|who|why|if|whether)", -1.3),
    (
        r"should have (been )?(told|explained|warned|flagged|mentioned|asked)|(tell|told) us "
        r"(before|earlier|sooner)",
        -1.5,
    ),
    (r"(need|needs|needed) (a lot of|more|much more) work", -1.5),
    (
        r"(not|never) (so |really |very |quite |properly |at all )?(controlled|fixed|clear|defined|"
        r"ready|done|finished|tested|proofread|checked|frozen|working)",
        -1.2,
    ),
    (r"nothing (has |was |is )?(changed|happened|moving|moved|done)", -1.2),
    (
        r"within (the|an|a|one|\d+|two|24|48) (hour|hours|minutes|day|working day)s?|same day|"
        r"next morning|(second|first) ring",
        1.5,
    ),
    (
        r"before the (due date|deadline|filing date|cut-?off)|(a |a full |a whole |two |three |"
        r"several )?(days?|weeks?|months?) (before|ahead|early|to spare)|(days|time) to spare",
        1.5,
    ),
    (
        r"(exactly|precisely|just) (what|as) (they |was |we )?(quoted|promised|estimated|agreed|"
        r"planned|said|signed off|signed|approved|expected|asked for)|to the penny",
        1.5,
    ),
    (r"under control|(kept|stuck) to (it|the (plan|budget|schedule|timeline|scope|date))", 1.5),
    (r"(really|actually|genuinely) (listen|listens|care|cares|understand|understands)", 1.5),
    (r"says it all|plain english|nailed it|pulled it off|(11|10|ten) out of (10|ten)|10/10", 1.5),
    (
        r"(picks?|picked) up the phone|(call|calls|called) (me |us )?back|get(s)? back to (us|me) "
        r"(quickly|fast|promptly|the same day|straight away)",
        1.2,
    ),
    (
        r"(we|i) always know|know exactly where|real partner|true partner|part of (our|the) (own )?"
        r"team",
        1.5,
    ),
    # Counterfactual regrets read positive word by word ("would have been nice").
    (r"would(n't| not)? have (been (nice|good|helpful|great)|appreciated|liked|helped)", -1.5),
    (r"(would|'d) (like|love|prefer|appreciate)", 0.0),
    (
        r"(no|without( any)?|with no) (prior )?(warning|notice|heads[- ]up|explanation|discussion)",
        -1.8,
    ),
    (r"never had to (chase|ask|send|remind|follow up|push)", 1.8),
    (
        r"(had|have|has|having) to (chase|ask|keep asking|dig|push|ring|escalate|remind|redo|fix|"
        r"find out|hear)",
        -1.5,
    ),
    (
        r"(nobody|no one|never) (told|tells|informed|called|calls|replied|replies|returns?|returned"
        r"|responded|answered|explained|picks? up)",
        -1.8,
    ),
    (r"no (reply|replies|response|answer|update|updates|call|calls|news)", -1.5),
    (r"in the dark|radio silence|went (quiet|silent)|left on read|out of office", -1.5),
    (
        r"(hear|heard) nothing|nothing (comes|came|has come) back|shouting into the void|never "
        r"heard of it",
        -1.5,
    ),
    (
        r"kept (us|me) (informed|in the loop|updated|posted)|keeps? (us|me) (informed|in the loop"
        r"|updated|posted)",
        1.8,
    ),
    (r"in the loop", 1.0),
    (r"no (nasty )?surprises", 1.8),
    (r"(surprise|unexpected|hidden|extra|additional) (invoice|bill|charge|cost|fee|extra)s?", -1.8),
    (r"scope creep|scope (has |had )?(crept|grew|grown|ballooned|kept growing)", -1.8),
    (
        r"over (the |our )?(original |agreed |planned )?budget|blew (through|past) (the |our )?"
        r"budget|nickel-and-dimed|(bill|bills|billed|charge|charges|charged) (us )?for every",
        -1.8,
    ),
    (r"(under|within|on|in|inside) (the )?(agreed )?budget", 1.5),
    (
        r"(miss|missed|misses|missing|blew through|blown) (a |the |our |their |every |another )?"
        r"(single )?(deadline|date|milestone|window|launch|filing)s?",
        -2.0,
    ),
    (r"(behind|past) (schedule|plan|the (original )?(date|deadline))", -1.5),
    (r"on (time|schedule|track|brief|point)|ahead of (schedule|time|plan)|in time", 1.5),
    (
        r"(met|meet|meets|hit|hits|kept|keeps) (every|all|each|the|our) (deadline|milestone|date|"
        r"target)s?",
        1.8,
    ),
    (r"(took|take|takes|taken|taking) (them )?(ages|forever|days|weeks|months)|last minute", -1.2),
    (r"(still|keep|kept) waiting", -1.2),
    (r"(sent|send|sending) (it |them |everything )?back|out of (their|his|her) depth", -1.5),
    (
        r"(doesn't|does not|didn't|did not|don't|won't|can't|couldn't) (actually )?"
        r"(work|load|print|open|log in|match|reconcile|back up)",
        -1.5,
    ),
    (r"fell over|fell behind|off[- ](brand|the mark)|copy-paste", -1.2),
    (r"spot on|top[- ](notch|class|marks|quality)|rock solid|above and beyond|extra mile", 2.0),
    (r"know (their|its) stuff|inside out|breath of fresh air|you (guys )?rock", 1.8),
    (
        r"no complaints|not a single complaint|(can't|hard to|cannot) fault|couldn't be happier"
        r"|could not be happier|could not ask for (a )?better|can't ask for (a )?better",
        2.0,
    ),
    (r"wouldn't hesitate|without hesitation|never disappointed|nothing but (good|praise)", 2.0),
    (r"recommend .{0,20}enough", 2.0),
    (
        r"(not|never) (a single|one) (error|mistake|bug|defect|issue|late \w+)s?"
        r"|zero (defects|errors|bugs|issues)",
        1.8,
    ),
    (
        r"(no|without( any)?|almost no|very little|hardly any|minimal) (issues|problems|errors|"
        r"mistakes|delays|bugs|defects|changes|corrections|editing|rework|complaints)",
        1.5,
    ),
)
_TOKENS: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (
        re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE),
        f"tlphrase{chr(97 + i // 26)}{chr(97 + i % 26)}",
        valence,
    )
    for i, (pattern, valence) in enumerate(_PHRASES)
)

# "Not once did they miss" puts the negation out of VADER's three-word reach: shorten it.
_NOT_ONCE = re.compile(
    r"\bnot (once|one time|a single time)\b([^.!?]{0,40}?\b(did|have|has|had|were|was|do)"
    r"( (they|we|you|it|he|she|the team|our team))?\b)?",
    re.IGNORECASE,
)

# Sarcasm: praise words framing a complaint. A frame only counts when the rest of the comment
# has a complaint cue and reads non-positive, so "Great! No complaints." stays praise.
_PRAISE_WORD = r"(great|brilliant|wonderful|fantastic|perfect|lovely|super|excellent|sure)"
_SARCASM_FRAMES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE | re.DOTALL)
    for p in (
        rf"^\W*(oh,? )?{_PRAISE_WORD}\s*[,!.]+(?P<rest>.*)$",
        rf"^(?P<rest>.*)[.!?]\s*({_PRAISE_WORD}|progress|classic)\s*[.!]*\s*$",
        r"\b(i|we) (just )?(love|loved|adore) (?P<rest>(getting|finding out|being told|waiting|"
        r"chasing).*)$",
    )
)
_COMPLAINT_CUE = re.compile(
    r"\b(again|another|still|yet|late|later|revised|third|twice|never|nothing|no|instead)\b"
    r"|\"\w+\"",
    re.IGNORECASE,
)
_SARCASM_PHRASES = re.compile(
    r"\b(just what we needed|yeah,? right|thanks for nothing|for once|what a surprise|love that "
    r"for us|merry christmas to us)\b|\b(thanks|thank you) for the (reply|response|update|call)\b"
    r".{0,30}\blater\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SentimentResult:
    """A label and a score in [-1, 1] (negative to positive)."""

    label: SentimentLabel
    score: float


class _DomainVader(SentimentIntensityAnalyzer):  # type: ignore[misc]
    """VADER whose negative valences weigh more before they are summed."""

    def score_valence(self, sentiments: list[float], text: str) -> dict[str, float]:
        """Scale negatives, then let VADER normalise as usual."""
        weighted = [v * NEGATIVE_EMPHASIS if v < 0 else v for v in sentiments]
        return cast(dict[str, float], super().score_valence(weighted, text))


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
    """VADER with the domain words and phrase tokens merged in; built once per process."""
    analyzer = _DomainVader()
    analyzer.lexicon.update(_DOMAIN_WORDS)
    analyzer.lexicon.update({token: valence for _, token, valence in _TOKENS})
    return analyzer


def rewrite_phrases(text: str) -> str:
    """Replace domain phrases by tokens VADER scores, after normalising curly apostrophes."""
    rewritten = _NOT_ONCE.sub("never", text.replace("\u2019", "'"))
    for pattern, token, _ in _TOKENS:
        rewritten = pattern.sub(f" {token} ", rewritten)
    return rewritten


def is_sarcastic(text: str) -> bool:
    """Praise words wrapped around a complaint ("Great, the report is late again.")."""
    if _SARCASM_PHRASES.search(text):
        return True
    for frame in _SARCASM_FRAMES:
        match = frame.search(text)
        if match and _COMPLAINT_CUE.search(match["rest"]) and _vader_score(match["rest"]) <= 0:
            return True
    return False


def _vader_score(text: str) -> float:
    """The domain-tuned VADER compound score, before any sarcasm handling."""
    return float(_vader().polarity_scores(rewrite_phrases(text))["compound"])


def lexicon_score(text: str) -> float:
    """VADER's compound score on the rewritten text, forced negative when sarcasm is detected."""
    score = _vader_score(text)
    if is_sarcastic(text):
        return min(score, SARCASM_SCORE, -abs(score))
    return score


class LearnedSentiment:
    """A three-class linear SVM; its polarity is P(positive) - P(negative) after a softmax."""

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline
        classes = [str(c) for c in pipeline.classes_]
        self._positive = classes.index("positive")
        self._negative = classes.index("negative")

    @classmethod
    def fit(cls, rows: Iterable[LabelledText], *, c: float = 0.3) -> LearnedSentiment:
        """Same features as the theme model; balanced, since neutral rows are the rarest."""
        data = list(rows)
        pipeline = make_pipeline(ngram_features(), LinearSVC(C=c, class_weight="balanced"))
        pipeline.fit([r.text for r in data], [r.sentiment for r in data])
        return cls(pipeline)

    def polarity(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) - P(negative) per text, in [-1, 1]."""
        margins = np.asarray(self._pipeline.decision_function(list(texts)))
        probabilities = softmax(MARGIN_SCALE * margins)
        polarity: np.ndarray = probabilities[:, self._positive] - probabilities[:, self._negative]
        return polarity


@lru_cache(maxsize=1)
def default_learned() -> LearnedSentiment:
    """Trained once per process on every shipped row."""
    return LearnedSentiment.fit(load_labelled())


def label_for(score: float, band: float = NEUTRAL_BAND) -> SentimentLabel:
    """Scores within the band around zero are neutral."""
    if score > band:
        return "positive"
    if score < -band:
        return "negative"
    return "neutral"


def score_sentiments(
    texts: Sequence[str],
    *,
    learned: LearnedSentiment | None = None,
    lexicon_weight: float = LEXICON_WEIGHT,
) -> list[SentimentResult]:
    """Blend the lexicon and learned scores for a batch; blank texts are neutral at 0."""
    if not texts:
        return []
    model = learned or default_learned()
    learned_scores = model.polarity(texts)
    results = []
    for text, learned_score in zip(texts, learned_scores, strict=True):
        score = _blend(text, float(learned_score), lexicon_weight)
        results.append(SentimentResult(label_for(score), score))
    return results


def _blend(text: str, learned_score: float, lexicon_weight: float) -> float:
    """Weighted mean of the two scores; nothing to say is neutral, a polite request nearly so."""
    if is_contentless(text):
        return 0.0
    score = lexicon_weight * lexicon_score(text) + (1 - lexicon_weight) * learned_score
    if _REQUEST.match(text):
        score *= REQUEST_DAMPING
    return round(max(-1.0, min(1.0, score)), 4)


def score_sentiment(text: str) -> SentimentResult:
    """Sentiment of one text with the default models."""
    return score_sentiments([text])[0]
