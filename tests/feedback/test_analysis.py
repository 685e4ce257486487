"""Offline feedback analysis: sentiment, primary theme, bulk CSV and evaluation. No Django."""

import csv
import dataclasses
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from trustledger.feedback.analysis import (
    THEMES,
    Analysis,
    MissingColumnError,
    analyze,
    analyze_csv,
    analyze_many,
    evaluate,
    evaluate_dev_split,
    format_report,
)
from trustledger.feedback.analysis.sentiment import lexicon_score
from trustledger.feedback.analysis.themes import load_labelled

OBVIOUS = [
    ("They missed the deadline for the second month running.", "deadlines", "negative"),
    ("Delivered everything on time, as always.", "deadlines", "positive"),
    ("Emails go unanswered and we never know the status of anything.", "communication", "negative"),
    ("Always quick to reply and they keep us in the loop.", "communication", "positive"),
    ("We got a surprise invoice for work that was never agreed.", "scope_budget", "negative"),
    ("They always warn us early about budget risks.", "scope_budget", "positive"),
    ("The report was full of errors and had to be sent back.", "quality", "negative"),
    ("Meticulous work, not a single mistake.", "quality", "positive"),
    ("Fantastic team, would recommend them to anyone.", "praise", "positive"),
    ("Our office is moving to Leeds in June.", "other", "neutral"),
]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("text", "theme", "sentiment"), OBVIOUS)
def test_an_obvious_comment_gets_its_theme_and_sentiment(text, theme, sentiment):
    result = analyze(text)
    assert (result.theme, result.sentiment_label) == (theme, sentiment)


@pytest.mark.parametrize(
    "text", ["Not once did they miss a deadline.", "They never missed a date."]
)
def test_a_negated_missed_deadline_is_positive_and_about_deadlines(text):
    result = analyze(text)
    assert (result.theme, result.sentiment_label) == ("deadlines", "positive")


def test_sarcastic_praise_around_a_complaint_is_negative():
    result = analyze("Oh great, another late delivery. Just what we needed.")
    assert (result.theme, result.sentiment_label) == ("deadlines", "negative")


@pytest.mark.parametrize(
    "phrase", ["a surprise invoice", "we had to chase them", "the draft was sent back", "late"]
)
def test_domain_phrases_that_plain_vader_misses_score_negative(phrase):
    assert lexicon_score(phrase) < 0


def test_praise_words_with_a_negation_of_a_complaint_are_not_mistaken_for_sarcasm():
    assert analyze("Great! No complaints at all.").sentiment_label == "positive"


def test_in_a_mixed_comment_the_complaint_after_but_decides():
    result = analyze("Lovely people, but the invoices are always a surprise.")
    assert (result.theme, result.sentiment_label) == ("scope_budget", "negative")


def test_general_discontent_is_never_praise():
    result = analyze("Disappointing year overall.")
    assert (result.theme, result.sentiment_label) == ("other", "negative")


def test_typos_do_not_hide_the_theme():
    assert analyze("commuication is poor").theme == "communication"
    assert analyze("the dealine was missed agian").theme == "deadlines"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "n/a", "Nothing to add."])
def test_empty_or_contentless_text_is_neutral_and_other(text):
    assert analyze(text) == Analysis("neutral", 0.0, "other", 1.0)


def test_an_emoji_only_answer_is_still_analysed():
    assert analyze("😀👍").sentiment_label == "positive"


def test_scores_are_bounded_and_agree_with_their_labels():
    texts = [text for text, _, _ in OBVIOUS] + ["Terrible!!! AWFUL!!!", "Best firm ever!!! :)"]
    for result in analyze_many(texts):
        assert -1.0 <= result.sentiment_score <= 1.0
        assert 0.0 < result.theme_confidence <= 1.0
        sign = {"positive": 1, "negative": -1, "neutral": 0}[result.sentiment_label]
        assert sign == 0 or sign * result.sentiment_score > 0


def test_analyze_many_agrees_with_analyze_one_at_a_time():
    texts = [text for text, _, _ in OBVIOUS]
    assert analyze_many(texts) == [analyze(text) for text in texts]


def test_an_analysis_cannot_be_modified():
    with pytest.raises(dataclasses.FrozenInstanceError):
        analyze("Great work").theme = "other"  # type: ignore[misc]


def test_analyze_csv_keeps_every_row_and_column_and_adds_the_analysis(tmp_path):
    source = write_csv(
        tmp_path / "in.csv",
        ["id", "comment", "client"],
        [
            ["1", 'Invoice was "a surprise", again, and nobody warned us', "Acme, Ltd"],
            ["2", "", "Zoë & Co"],
            ["3", "Fantastic team, would recommend.", "Initech"],
        ],
    )
    count = analyze_csv(source, tmp_path / "out.csv", text_column="comment")

    rows = read_csv(tmp_path / "out.csv")
    assert count == 3
    assert list(rows[0]) == [
        "id",
        "comment",
        "client",
        "sentiment_label",
        "sentiment_score",
        "theme",
    ]
    assert [r["client"] for r in rows] == ["Acme, Ltd", "Zoë & Co", "Initech"]
    assert rows[0]["comment"] == 'Invoice was "a surprise", again, and nobody warned us'
    assert [(r["theme"], r["sentiment_label"]) for r in rows] == [
        ("scope_budget", "negative"),
        ("other", "neutral"),
        ("praise", "positive"),
    ]
    assert float(rows[1]["sentiment_score"]) == 0.0


def test_analyze_csv_names_the_file_when_the_text_column_is_missing(tmp_path):
    source = write_csv(tmp_path / "remarks.csv", ["id", "comment"], [["1", "late again"]])
    with pytest.raises(MissingColumnError, match=r"remarks\.csv.*'text'.*found 'id', 'comment'"):
        analyze_csv(source, tmp_path / "out.csv")


class StubAnalyzer:
    """Returns fixed predictions so the metric arithmetic can be checked by hand."""

    def __init__(self, predictions: dict[str, Analysis]) -> None:
        self.predictions = predictions

    def analyze_many(self, texts: Sequence[str]) -> list[Analysis]:
        return [self.predictions[text] for text in texts]


def test_evaluate_computes_the_metrics_worked_out_by_hand(tmp_path):
    gold = write_csv(
        tmp_path / "gold.csv",
        ["text", "theme", "sentiment"],
        [
            ["a", "deadlines", "negative"],
            ["b", "deadlines", "positive"],
            ["c", "quality", "negative"],
            ["d", "praise", "positive"],
            ["e", "other", "neutral"],
        ],
    )
    stub = StubAnalyzer(
        {
            "a": Analysis("negative", -0.5, "deadlines", 0.9),  # theme right, sentiment right
            "b": Analysis("negative", -0.1, "quality", 0.6),  # theme wrong, polarity wrong
            "c": Analysis("neutral", -0.02, "quality", 0.8),  # theme right, label wrong, sign right
            "d": Analysis("positive", 0.9, "praise", 0.9),  # all right
            "e": Analysis("neutral", 0.0, "deadlines", 0.5),  # theme wrong, sentiment right
        }
    )

    report = evaluate(gold, analyzer=stub)

    # deadlines: predicted {a, e}, gold {a, b} -> P 1/2, R 1/2, F1 1/2
    # quality:   predicted {b, c}, gold {c}    -> P 1/2, R 1,   F1 2/3
    # praise:    predicted {d},    gold {d}    -> 1, 1, 1
    # other:     predicted {},     gold {e}    -> 0, 0, 0
    assert report.rows == 5
    assert report.theme_accuracy == pytest.approx(3 / 5)  # a, c, d
    assert report.per_theme["deadlines"].f1 == pytest.approx(0.5)
    assert report.per_theme["quality"].precision == pytest.approx(0.5)
    assert report.per_theme["quality"].recall == pytest.approx(1.0)
    assert report.per_theme["quality"].f1 == pytest.approx(2 / 3)
    assert report.per_theme["praise"].f1 == pytest.approx(1.0)
    assert report.per_theme["other"].f1 == 0.0
    assert report.per_theme["other"].support == 1
    assert set(report.per_theme) == {"deadlines", "quality", "praise", "other"}
    assert report.theme_macro_f1 == pytest.approx((0.5 + 2 / 3 + 1 + 0) / 4)
    assert report.sentiment_accuracy == pytest.approx(3 / 5)  # a, d, e
    assert report.polarity_rows == 4  # e is neutral gold
    assert report.polarity_accuracy == pytest.approx(3 / 4)  # a, c (by sign), d

    table = format_report(report)
    assert "| theme macro-F1 | 0.542 |" in table
    assert "| quality | 0.500 | 1.000 | 0.667 | 1 |" in table


def test_evaluate_rejects_an_unknown_label_and_says_where(tmp_path):
    gold = write_csv(
        tmp_path / "gold.csv", ["text", "theme", "sentiment"], [["x", "billing", "negative"]]
    )
    with pytest.raises(ValueError, match=r"gold\.csv:2: unknown theme 'billing'"):
        evaluate(gold)


def test_evaluate_with_the_shipped_models_on_obvious_comments(tmp_path):
    gold = write_csv(tmp_path / "gold.csv", ["text", "theme", "sentiment"], OBVIOUS)
    report = evaluate(gold)
    assert report.theme_accuracy == 1.0
    assert report.polarity_accuracy == 1.0


def test_the_training_data_is_large_varied_and_valid():
    rows = load_labelled()
    themes = Counter(row.theme for row in rows)
    assert len(rows) >= 600
    assert len({row.text.lower() for row in rows}) == len(rows)
    assert set(themes) == set(THEMES)
    assert min(themes.values()) >= 80
    assert {row.sentiment for row in rows} == {"positive", "negative", "neutral"}
    assert {row.split for row in rows} == {"train", "dev"}


def test_importing_the_analysis_package_does_not_load_django():
    code = (
        "import sys, trustledger.feedback.analysis\n"
        "print(any(k == 'django' or k.startswith('django.') for k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_dev_split_stays_above_the_quality_targets():
    # Trained on the train rows only; a regression guard for lexicon or data edits.
    report = evaluate_dev_split()
    assert report.rows >= 300
    assert report.theme_macro_f1 >= 0.88
    assert report.polarity_accuracy >= 0.9
