"""Primary theme of a feedback comment: a small TF-IDF linear model nudged by a phrase lexicon.

The themes mirror the four ways client trust erodes (deadlines, communication, scope and budget
surprises, quality), plus general praise and everything else. The linear model learns the
phrasing of the shipped training set; the lexicon carries domain knowledge the few hundred
training rows cannot (a word like "invoice" means scope/budget even in a sentence the model has
never seen), so it is added to the model's log-odds as a prior rather than used as a hard rule.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

Theme = Literal["deadlines", "communication", "scope_budget", "quality", "praise", "other"]
THEMES: tuple[Theme, ...] = get_args(Theme)
TRAINING_CSV = Path(__file__).with_name("data") / "training.csv"

# Tuned on the dev split: how many logits one lexicon hit is worth, the SVM's C, and the
# factor that turns SVM margins into logits before the softmax.
PRIOR_WEIGHT = 2.0
REGULARISATION_C = 0.5
MARGIN_SCALE = 3.0

# Blank, or a stock non-answer. Only ASCII punctuation around it: an emoji is an answer.
_PUNCTUATION = r"[\s!-/:-@\[-`{-~]*"
_NO_CONTENT = re.compile(
    rf"^{_PUNCTUATION}(n/?a|none|nil|nothing( (else|more|further))?( to (add|report|say))?"
    r"|no( further| other| additional| more)? comments?|test|see (above|previous)( comments?)?)?"
    rf"( at this time)?{_PUNCTUATION}$",
    re.IGNORECASE,
)

# Phrases that point at a theme whatever the sentence around them, as (weight, pattern). Weak
# cues (0.5) are words that usually, not always, mean the theme. "praise" is deliberately narrow:
# "great communication" is communication, so only theme-free appreciation counts.
_LEXICON: dict[Theme, tuple[tuple[float, str], ...]] = {
    "deadlines": (
        (1.0, r"\blate(ness|r than (planned|promised|agreed|expected))?\b"),
        (1.0, r"\bdead?l[il]nes?\b|\bdeadine\b"),
        (1.0, r"\bdelay(s|ed|ing)?\b"),
        (1.0, r"\b(behind|ahead of|on|to) (schedule|plan|track|time)\b"),
        (0.5, r"\bschedul(e|ed|es|ing)\b|\btiming\b|\btimescales?\b"),
        (1.0, r"\bin (good )?time\b|\btimel(y|iness)\b"),
        (1.0, r"\bslip(s|ped|ping|page)?\b"),
        (1.0, r"\b(postpone|reschedul|push(ed)? (back|out)|moved? (the )?(date|deadline))"),
        (1.0, r"\bmilestones?\b"),
        (
            1.0,
            r"\b(due|launch|go-live|completion|delivery|release|handover|filing|target|"
            r"cut-?over) (dates?|day|window)\b",
        ),
        (1.0, r"\btime ?lines?\b|\bturn ?around\b|\bpunctual(ly|ity)?\b|\boverdue\b"),
        (1.0, r"\b(days?|weeks?|months?) (late|early|behind|ahead|past|overdue)\b"),
        (
            1.0,
            r"\bmiss(ed|es|ing)? (a |the |our |every |any )?(single )?(date|deadline|"
            r"milestone|window)",
        ),
        (1.0, r"\b(never|not|didn't|did not|don't) miss"),
        (1.0, r"\b(took|taken|takes|take) (\w+ )?(ages|weeks|months|forever|longer)\b"),
        (1.0, r"\bextensions?\b|\bshould have (taken|been (done|ready|finished))\b"),
        (1.0, r"\b(delivered|arrived|finished|done|ready|filed|completed) (early|late|on the day)"),
        (0.5, r"\b(early|ahead)\b|\blast[- ]minute\b|\bdrag(ged|s)? on\b"),
        (
            0.5,
            r"\b(still )?waiting (on|for) (the |our )?(report|drawings?|deliverables?|draft|"
            r"results|accounts|return|design|plans?|pack)",
        ),
        (0.5, r"\b(never|finally) (arrived|showed up|came)\b|\bstill not (done|ready|finished)"),
    ),
    "communication": (
        (1.0, r"\bcomm?unicat\w*|\bcomms\b"),
        (1.0, r"\b(unanswered|no (reply|replies|response|answer|update|word)s?)\b"),
        (1.0, r"\brespon(d|ds|ded|ding|se|ses|sive|siveness)\b"),
        (1.0, r"\b(reply|replies|replied|get(s|ting)? back to)\b"),
        (1.0, r"\bchas(e|ed|ing)\b"),
        (1.0, r"\b(kept|keep|keeps|keeping) (us|me) (informed|updated|posted|in the loop)\b"),
        (1.0, r"\bin the (loop|dark)\b"),
        (1.0, r"\b(status |progress )?updates?\b"),
        (1.0, r"\bstatus (report|call|meeting)s?\b|\bcheck[- ]?ins?\b|\bcatch[- ]?ups?\b"),
        (0.5, r"\b(phone|calls?|called|voicemail|e-?mails?|teams|slack|messages?|meetings?)\b"),
        (1.0, r"\blisten(s|ed|ing)?\b"),
        (1.0, r"\b(radio silence|went (quiet|silent)|silence|silent|ghost(ed|ing)?)\b"),
        (1.0, r"\b(get hold of|reach|reachable|contactable)\b"),
        (0.5, r"\bavailable\b"),
        (1.0, r"\b(hear|heard) (nothing|back|from)\b|\b(find|found|finding) out\b"),
        (1.0, r"\b(nobody|no one|never|not) (told|tells|explained|informed|called|returns?)\b"),
        (1.0, r"\b(told|tell|tells|telling) (us|me)\b|\bexplain(ed|s|ing)?\b"),
        (1.0, r"\b(informed|proactive(ly)?|touch base|point of contact|out of office)\b"),
        (1.0, r"\b(where things stand|what'?s (going on|happening)|visibility)\b"),
        (0.5, r"\b(ignored|acknowledg\w*|questions?|answers?|asked|asking)\b"),
    ),
    "scope_budget": (
        (1.0, r"\binvoic(e|es|ed|ing)\b"),
        (1.0, r"\bbill(s|ed|ing)?\b|\b(over|under)-?(bill|charg)(ed|ing)\b"),
        (1.0, r"\bbudget(s|ing)?\b|\bover ?run(s)?\b"),
        (1.0, r"\bscope\b|\bsow\b|\bstatement of work\b"),
        (1.0, r"\bchange (request|order)s?\b"),
        (1.0, r"\bestimat(e|es|ed)\b|\bquot(e|ed|es)\b|\bforecast\b"),
        (1.0, r"\bcosts?\b|\bcharg(e|es|ed|ing)\b|\bexpenses?\b|\bdisbursements?\b"),
        (1.0, r"\b(extra|extras|additional) (work|hours|days|cost|charges?|fees?|licen[cs]es)\b"),
        (1.0, r"\b(hidden|surprise|unexpected) (fees?|costs?|charges?|bills?)\b"),
        (1.0, r"\bfixed[- ]fee\b|\btime and materials\b|\bretainer\b|\bhours (used|left)\b"),
        (1.0, r"\b(nickel|blank cheque|pay(ing)? for|paid for)\b"),
        (0.5, r"\bsurprises?\b|\bextras?\b|[£$€]\s?\d|\b\d+k\b|\bspend\b|\bfees?\b"),
    ),
    "quality": (
        (1.0, r"\berr(o|ro)rs?\b|\bmistakes?\b|\bbug(s|gy)?\b|\btypos?\b|\bglitch(es)?\b"),
        (1.0, r"\bsloppy\b|\brework\b|\bcareless\b|\bproofread\b|\bamateur(ish)?\b"),
        (1.0, r"\b(sent|send|sending) (it |them |everything )?back\b"),
        (1.0, r"\bcorrect(ions?|ed|ing)?\b|\bwrong\b|\b(in)?cor+ect\b|\b(in)?accura(te|cy)\b"),
        (1.0, r"\bquality\b|\bdefects?\b|\bcrash(es|ed|ing)?\b|\bbroke(n)?\b"),
        (1.0, r"\battention to detail\b|\bstandard of (the )?work\b|\bworkmanship\b"),
        (1.0, r"\b(thorough|meticulous|rigorous|precise|flawless|spot on)\b"),
        (1.0, r"\b(expertise|expert|knowledgeable|know (their|its) stuff|inside out|skills?)\b"),
        (1.0, r"\b(superficial|shallow|generic|bland|off[- ]brand|half-baked|inconsisten\w*)\b"),
        (1.0, r"\bout of (their|his|her) depth\b|\b(in)?competent\b"),
        (1.0, r"\b(redo|redone|rewrite|rewrote|re-?issued?|rejected)\b"),
        (1.0, r"\b(tested|testing|qa|review found|failed (review|inspection|testing))\b"),
        (
            1.0,
            r"\b(well|badly|poorly) (written|documented|tested|structured|designed|built|"
            r"researched|done|executed|configured|drafted)\b",
        ),
        (1.0, r"\b(not|doesn't|does not|didn't|don't) (work|match|reconcile|add up)\w*"),
        (0.5, r"\b(fix(ed|es)?|issues?|insight\w*|advice|analysis|draft|deliverables?)\b"),
    ),
    "praise": (
        (1.0, r"\brecommend"),
        (1.0, r"\b(pleasure|delight|joy) to (work|deal)|\b(love|enjoy(ed)?) working\b"),
        (
            1.0,
            r"\b(great|fantastic|brilliant|amazing|wonderful|lovely|superb|fab|excellent|"
            r"friendly|top) (team|people|firm|bunch|partner|partnership|year|experience|job|"
            r"service|agency|group|company)\b",
        ),
        (1.0, r"\b(thank you|thanks|thank u|thanku|cheers)\b|\bgrateful\b"),
        (1.0, r"\b(top (notch|class|marks)|five stars|10/10|11 out of 10)\b"),
        (1.0, r"\bkeep (up the good work|doing what)\b|\b(above and beyond|extra mile)\b"),
        (1.0, r"\b(very|extremely|so|really|hugely|really) (happy|pleased|satisfied|impressed)\b"),
        (1.0, r"\b(use|hire|work with) them again\b|\bno complaints\b|\byou (guys )?rock\b"),
        (
            1.0,
            r"\b(best|favourite) (firm|agency|consultan\w*|accountants?|partner|decision|"
            r"provider|supplier|team)\b|\bbest by\b",
        ),
        (1.0, r"\b(lucky to have|well done|credit to|go-to|part of (our|the) (own )?team)\b"),
        (
            1.0,
            r"\b(exceptional|outstanding|superb|couldn't be happier|can't fault|hard to fault)\b",
        ),
        (
            0.5,
            r"\b(impressed|happy|pleased|satisfied|pleasure|great|excellent|fantastic|"
            r"brilliant|amazing|wonderful|renew\w*)\b",
        ),
    ),
    "other": (
        (0.5, r"\brates?\b|\b(expensive|pricey|overpriced|pricing|prices?)\b"),
        (1.0, r"\b(day|hourly|daily) rates?\b|\brate card\b|\brates? (are|is) (\w+ )?(high|steep)"),
        (1.0, r"\b(parking|building works|reception|meeting rooms?|hamper|lunch|award)\b"),
        (1.0, r"\b(restructur\w*|acqui\w*|merg\w*|in-house|procurement|tender\w*)\b"),
        (1.0, r"\b(new|our) (cfo|ceo|md|finance director|head of \w+|registered address)\b"),
        (1.0, r"\b(left|leaving|leave|leaves) (the (firm|company|team|business))\b|\bmoved on\b"),
        (
            1.0,
            r"\b(sad|sorry|shame) to (see|lose|hear)\b|\blos(e|ing|t) (\w+ )?(as|from) (our|the)",
        ),
        (1.0, r"\bstaff (changes|turnover)\b|\b(turnover|replacement|handover)\b"),
        (1.0, r"\b(portal|login|log in|newsletter|survey|seminar|event|branding|website login)\b"),
        (1.0, r"\b(can't|cannot|unable to) comment\b|\btoo early to (say|tell)\b"),
        (
            1.0,
            r"\bour (own )?(business|industry|market|board|priorities|policy|year end|erp|"
            r"financial year|group)\b",
        ),
        (0.5, r"\b(office|offices|next year|in the spring|policy|hiring)\b"),
    ),
}
_COMPILED: tuple[tuple[tuple[float, re.Pattern[str]], ...], ...] = tuple(
    tuple((weight, re.compile(p, re.IGNORECASE)) for weight, p in _LEXICON[theme])
    for theme in THEMES
)


@dataclass(frozen=True)
class LabelledText:
    """One row of a labelled feedback CSV (training data or an evaluation set)."""

    text: str
    theme: Theme
    sentiment: str
    split: str = "train"


@dataclass(frozen=True)
class ThemeResult:
    """The primary theme and its share of the softmax over themes (on the dev split, the
    confidence understates accuracy slightly, so it is usable as a probability)."""

    theme: Theme
    confidence: float


def load_labelled(path: Path | None = None, *, split: str | None = None) -> list[LabelledText]:
    """Read a labelled CSV (defaults to the shipped training set), optionally one split only."""
    with open(path or TRAINING_CSV, newline="", encoding="utf-8-sig") as handle:
        rows = [_to_labelled(row) for row in csv.DictReader(handle)]
    return [row for row in rows if split is None or row.split == split]


def _to_labelled(row: dict[str, str]) -> LabelledText:
    """Validate the theme so a typo in the data fails loudly instead of becoming a seventh class."""
    theme = row["theme"].strip()
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r} for text {row['text']!r}")
    return LabelledText(row["text"], theme, row["sentiment"].strip(), row.get("split") or "train")


def is_contentless(text: str) -> bool:
    """Blank, "n/a", "nothing to add": there is nothing to classify, so the theme is `other`."""
    return bool(_NO_CONTENT.match(text))


def lexicon_hits(text: str) -> np.ndarray:
    """Weighted count of the lexicon patterns of each theme the text matches, in THEMES order."""
    return np.array([sum(w for w, p in patterns if p.search(text)) for patterns in _COMPILED])


def ngram_features() -> Any:
    """Word n-grams catch phrases; char n-grams survive typos ("commuication", "dealine")."""
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so large margins cannot overflow."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    normalised: np.ndarray = shifted / shifted.sum(axis=-1, keepdims=True)
    return normalised


class ThemeClassifier:
    """A fitted pipeline plus the weight of the lexicon prior; cheap to build, so never pickled."""

    def __init__(self, pipeline: Any, prior_weight: float) -> None:
        self._pipeline = pipeline
        self._prior_weight = prior_weight
        classes = [str(c) for c in pipeline.classes_]
        self._order = [classes.index(theme) for theme in THEMES]

    @classmethod
    def fit(
        cls,
        rows: Iterable[LabelledText],
        *,
        prior_weight: float = PRIOR_WEIGHT,
        c: float = REGULARISATION_C,
    ) -> ThemeClassifier:
        """Train on labelled rows; every theme must appear at least once."""
        data = list(rows)
        # A linear SVM fits a few hundred rows in hundredths of a second; a logistic
        # regression on the same features can take seconds to converge.
        pipeline = make_pipeline(ngram_features(), LinearSVC(C=c))
        pipeline.fit([r.text for r in data], [r.theme for r in data])
        return cls(pipeline, prior_weight)

    def predict(
        self, texts: Sequence[str], sentiments: Sequence[str] | None = None
    ) -> list[ThemeResult]:
        """Classify a batch at once: one sparse transform is far cheaper than one per text.

        With `sentiments` (labels, one per text), a negative comment is never `praise`: praise
        is appreciation by definition, and general discontent belongs to `other`.
        """
        if not texts:
            return []
        margins = np.asarray(self._pipeline.decision_function(list(texts)))[:, self._order]
        labels = sentiments or [""] * len(texts)
        return [
            self._combine(text, row, label)
            for text, row, label in zip(texts, margins, labels, strict=True)
        ]

    def _combine(self, text: str, margins: np.ndarray, sentiment: str) -> ThemeResult:
        """Add the lexicon prior to the scaled margins and take a softmax."""
        if is_contentless(text):
            return ThemeResult("other", 1.0)
        logits = MARGIN_SCALE * margins + self._prior_weight * np.minimum(lexicon_hits(text), 3)
        if sentiment == "negative":
            logits[THEMES.index("praise")] = -np.inf
        posterior = softmax(logits)
        best = int(posterior.argmax())
        return ThemeResult(THEMES[best], round(float(posterior[best]), 4))


@lru_cache(maxsize=1)
def default_classifier() -> ThemeClassifier:
    """Trained once per process on every shipped row (train and dev): under a second."""
    return ThemeClassifier.fit(load_labelled())


def classify_themes(
    texts: Sequence[str], sentiments: Sequence[str] | None = None
) -> list[ThemeResult]:
    """Primary theme of each text with the default classifier (see `ThemeClassifier.predict`)."""
    return default_classifier().predict(texts, sentiments)


def classify_theme(text: str) -> ThemeResult:
    """Primary theme of one text with the default classifier."""
    return classify_themes([text])[0]
