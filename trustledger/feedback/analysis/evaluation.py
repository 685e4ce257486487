"""Analysing feedback text, in bulk from a CSV, and measuring how well it is done.

`analyze` is the entry point the rest of Trustledger uses. `evaluate` scores the analyser
against a labelled CSV (text, theme, sentiment). `evaluate_dev_split` is the honest number for
the shipped data: models trained on its `train` rows only, scored on its `dev` rows.
`format_report` turns either into Markdown, e.g. for a CLI command to print.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, get_args

from trustledger.feedback.analysis.sentiment import (
    LearnedSentiment,
    SentimentLabel,
    default_learned,
    score_sentiments,
)
from trustledger.feedback.analysis.themes import (
    THEMES,
    LabelledText,
    Theme,
    ThemeClassifier,
    default_classifier,
    load_labelled,
)

SENTIMENT_LABELS: tuple[SentimentLabel, ...] = get_args(SentimentLabel)
OUTPUT_COLUMNS = ("sentiment_label", "sentiment_score", "theme")
_BATCH = 256


class MissingColumnError(ValueError):
    """A CSV lacks a column the caller asked for."""


@dataclass(frozen=True)
class Analysis:
    """What the text says: its sentiment, score in [-1, 1], and primary theme."""

    sentiment_label: SentimentLabel
    sentiment_score: float
    theme: Theme
    theme_confidence: float


class BatchAnalyzer(Protocol):
    """Anything that analyses a batch of texts: the real `Analyzer`, or a stub in a test."""

    def analyze_many(self, texts: Sequence[str]) -> list[Analysis]:
        """One analysis per text, in order."""
        ...


class Analyzer:
    """The two trained models together, so an evaluation can swap in train-only models."""

    def __init__(self, themes: ThemeClassifier, learned: LearnedSentiment) -> None:
        self._themes = themes
        self._learned = learned

    @classmethod
    def train(cls, rows: Iterable[LabelledText]) -> Analyzer:
        """Fit both models on the same labelled rows."""
        data = list(rows)
        return cls(ThemeClassifier.fit(data), LearnedSentiment.fit(data))

    def analyze_many(self, texts: Sequence[str]) -> list[Analysis]:
        """Sentiment first: a negative comment cannot be praise, so the theme step needs it."""
        sentiments = score_sentiments(texts, learned=self._learned)
        themes = self._themes.predict(texts, [s.label for s in sentiments])
        return [
            Analysis(s.label, s.score, t.theme, t.confidence)
            for s, t in zip(sentiments, themes, strict=True)
        ]


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """Both models trained on every shipped row, once per process."""
    return Analyzer(default_classifier(), default_learned())


def analyze(text: str) -> Analysis:
    """Sentiment and primary theme of one comment."""
    return analyze_many([text])[0]


def analyze_many(texts: Iterable[str]) -> list[Analysis]:
    """Analyse a batch; much faster per text than calling `analyze` in a loop."""
    return default_analyzer().analyze_many([text or "" for text in texts])


def analyze_csv(in_path: str | Path, out_path: str | Path, text_column: str = "text") -> int:
    """Copy a CSV, adding sentiment_label, sentiment_score and theme; returns the row count.

    Rows are streamed in batches, so a file of any size uses constant memory.
    """
    with (
        open(in_path, newline="", encoding="utf-8-sig") as source,
        open(out_path, "w", newline="", encoding="utf-8") as target,
    ):
        reader = csv.DictReader(source)
        _require_columns(in_path, reader.fieldnames, (text_column,))
        fields = list(reader.fieldnames or [])
        writer = csv.DictWriter(target, [*fields, *(c for c in OUTPUT_COLUMNS if c not in fields)])
        writer.writeheader()
        count = 0
        for batch in itertools.batched(reader, _BATCH):
            writer.writerows(_annotate(batch, text_column))
            count += len(batch)
    return count


def _annotate(rows: Sequence[dict[str, str]], text_column: str) -> Iterator[dict[str, str]]:
    """The input rows with the analysis columns filled in (overwriting any of the same name)."""
    results = analyze_many([row.get(text_column) or "" for row in rows])
    for row, result in zip(rows, results, strict=True):
        yield row | {
            "sentiment_label": result.sentiment_label,
            "sentiment_score": f"{result.sentiment_score:.4f}",
            "theme": result.theme,
        }


def _require_columns(path: str | Path, found: Sequence[str] | None, needed: Sequence[str]) -> None:
    """Fail with the file's name and its actual columns, which is what a user needs to fix it."""
    missing = [column for column in needed if column not in (found or [])]
    if missing:
        raise MissingColumnError(
            f"{path}: missing column(s) {', '.join(map(repr, missing))}; "
            f"found {', '.join(map(repr, found or [])) or 'no header'}"
        )


@dataclass(frozen=True)
class ThemeScores:
    """Precision, recall and F1 of one theme, and how many gold rows carry it."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvaluationReport:
    """Theme and sentiment quality of the analyser on one labelled set."""

    rows: int
    theme_accuracy: float
    theme_macro_f1: float
    per_theme: Mapping[str, ThemeScores]
    sentiment_accuracy: float
    polarity_accuracy: float
    polarity_rows: int


def evaluate(csv_path: str | Path, *, analyzer: BatchAnalyzer | None = None) -> EvaluationReport:
    """Score the analyser (default: the shipped one) on a CSV with text, theme, sentiment."""
    gold = _read_gold(csv_path)
    predictions = (analyzer or default_analyzer()).analyze_many([g.text for g in gold])
    return score_predictions(gold, predictions)


def _read_gold(path: str | Path) -> list[LabelledText]:
    """Read and validate the gold labels, naming the file and line of any bad one."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        _require_columns(path, reader.fieldnames, ("text", "theme", "sentiment"))
        return [_gold_row(path, reader.line_num, row) for row in reader]


def _gold_row(path: str | Path, line: int, row: dict[str, str]) -> LabelledText:
    """One validated gold row; unknown labels would silently count as errors otherwise."""
    theme, sentiment = row["theme"].strip(), row["sentiment"].strip()
    if theme not in THEMES:
        raise ValueError(f"{path}:{line}: unknown theme {theme!r}, expected one of {THEMES}")
    if sentiment not in SENTIMENT_LABELS:
        raise ValueError(
            f"{path}:{line}: unknown sentiment {sentiment!r}, expected one of {SENTIMENT_LABELS}"
        )
    return LabelledText(row["text"] or "", theme, sentiment)


def evaluate_dev_split() -> EvaluationReport:
    """Models trained on the shipped `train` rows only, scored on the `dev` rows they never saw."""
    analyzer = Analyzer.train(load_labelled(split="train"))
    gold = load_labelled(split="dev")
    return score_predictions(gold, analyzer.analyze_many([g.text for g in gold]))


def score_predictions(
    gold: Sequence[LabelledText], predictions: Sequence[Analysis]
) -> EvaluationReport:
    """All metrics from gold rows and predictions in the same order."""
    gold_themes = [g.theme for g in gold]
    predicted_themes = [p.theme for p in predictions]
    per_theme = per_theme_scores(gold_themes, predicted_themes)
    polar = [(g, p) for g, p in zip(gold, predictions, strict=True) if g.sentiment != "neutral"]
    return EvaluationReport(
        rows=len(gold),
        theme_accuracy=_share(g == p for g, p in zip(gold_themes, predicted_themes, strict=True)),
        theme_macro_f1=_mean([s.f1 for s in per_theme.values()]),
        per_theme=per_theme,
        sentiment_accuracy=_share(
            g.sentiment == p.sentiment_label for g, p in zip(gold, predictions, strict=True)
        ),
        polarity_accuracy=_share(_polarity(p.sentiment_score) == g.sentiment for g, p in polar),
        polarity_rows=len(polar),
    )


def per_theme_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, ThemeScores]:
    """Scores for every theme that occurs in the gold labels or the predictions.

    Like scikit-learn's macro average, a theme absent from both is left out rather than
    scored 0, so a small evaluation set without, say, `praise` is not penalised for it.
    """
    present = [t for t in THEMES if t in gold or t in predicted]
    return {theme: _theme_scores(theme, gold, predicted) for theme in present}


def _theme_scores(theme: str, gold: Sequence[str], predicted: Sequence[str]) -> ThemeScores:
    """One-vs-rest precision, recall and F1 (0 where undefined)."""
    pairs = list(zip(gold, predicted, strict=True))
    hits = sum(1 for g, p in pairs if g == p == theme)
    predicted_n = sum(1 for _, p in pairs if p == theme)
    support = sum(1 for g, _ in pairs if g == theme)
    precision = hits / predicted_n if predicted_n else 0.0
    recall = hits / support if support else 0.0
    total = precision + recall
    return ThemeScores(precision, recall, 2 * precision * recall / total if total else 0.0, support)


def _polarity(score: float) -> str:
    """The sign of the score: polarity is judged even where the label says neutral."""
    if score > 0:
        return "positive"
    return "negative" if score < 0 else "neutral"


def _share(flags: Iterable[bool]) -> float:
    """Fraction of true flags; 0 for none, so an empty set reports 0 rather than failing."""
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _mean(values: Sequence[float]) -> float:
    """Arithmetic mean, 0 for an empty sequence."""
    return sum(values) / len(values) if values else 0.0


def format_report(report: EvaluationReport) -> str:
    """A Markdown summary table and a per-theme table."""
    lines = [
        "| metric | value |",
        "|---|---|",
        f"| rows | {report.rows} |",
        f"| theme accuracy | {report.theme_accuracy:.3f} |",
        f"| theme macro-F1 | {report.theme_macro_f1:.3f} |",
        f"| sentiment accuracy (3 classes) | {report.sentiment_accuracy:.3f} |",
        f"| polarity accuracy ({report.polarity_rows} non-neutral rows) "
        f"| {report.polarity_accuracy:.3f} |",
        "",
        "| theme | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {theme} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |"
        for theme, s in report.per_theme.items()
    ]
    return "\n".join(lines) + "\n"
