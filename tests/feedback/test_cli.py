"""``trustledger evaluate-feedback`` and ``trustledger analyze-feedback``."""

import csv

from trustledger.cli import main


def test_evaluate_feedback_prints_the_report_on_the_held_out_set(capsys):
    assert main(["evaluate-feedback"]) == 0
    out = capsys.readouterr().out
    assert "feedback_eval.csv (330 labelled comments)" in out
    assert "| theme macro-F1 |" in out and "| polarity accuracy" in out
    for theme in ("deadlines", "communication", "scope_budget", "quality", "praise", "other"):
        assert f"| {theme} |" in out


def test_evaluate_feedback_refuses_a_missing_file(capsys, tmp_path):
    assert main(["evaluate-feedback", "--data", str(tmp_path / "none.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_analyze_feedback_adds_sentiment_and_theme_to_any_csv(tmp_path, capsys):
    source = tmp_path / "notes.csv"
    source.write_text(
        "id,remark\n1,The audit file was full of errors.\n2,Thank you all — superb work!\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert (
        main(["analyze-feedback", str(source), "--text-column", "remark", "--out", str(out)]) == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["theme"] == "quality" and rows[0]["sentiment_label"] == "negative"
    assert rows[1]["sentiment_label"] == "positive" and -1 <= float(rows[1]["sentiment_score"]) <= 1

    assert main(["analyze-feedback", str(source), "--text-column", "remark"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == "id,remark,sentiment_label,sentiment_score,theme"


def test_analyze_feedback_names_the_missing_column(tmp_path, capsys):
    source = tmp_path / "notes.csv"
    source.write_text("id,remark\n1,Fine\n", encoding="utf-8")
    assert main(["analyze-feedback", str(source)]) == 2
    err = capsys.readouterr().err
    assert "'text'" in err and "--text-column" in err
