"""``trustledger evaluate-feedback``, ``analyze-feedback`` and ``send-surveys``.

The analysis commands need no database: they read and write CSV files with the offline models.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

EVAL_SET = Path("tests") / "data" / "feedback_eval.csv"


def add_commands(sub: Any) -> None:
    """Add the feedback subcommands to the ``trustledger`` command's subparsers."""
    evaluate = sub.add_parser(
        "evaluate-feedback",
        help="measure the feedback classifier on the held-out evaluation set",
        description="Print accuracy, per-theme precision/recall/F1, macro-F1 and sentiment "
        "polarity accuracy of the offline classifier on a labelled CSV (columns text, theme, "
        f"sentiment). Default: {EVAL_SET}, which is never used to tune anything.",
    )
    evaluate.add_argument("--data", type=Path, default=None, help=f"labelled CSV ({EVAL_SET})")
    evaluate.set_defaults(func=cmd_evaluate_feedback)

    analyze = sub.add_parser(
        "analyze-feedback",
        help="add sentiment and theme columns to any CSV of comments",
        description="Read FILE.csv, analyse the text column of each row offline, and write the "
        "rows with sentiment_label, sentiment_score (-1 to 1) and theme added.",
    )
    analyze.add_argument("file", metavar="FILE.csv", type=Path)
    analyze.add_argument("--text-column", default="text", help="the column to analyse (text)")
    analyze.add_argument("--out", type=Path, help="where to write (default: standard output)")
    analyze.set_defaults(func=cmd_analyze_feedback)

    send = sub.add_parser(
        "send-surveys",
        help="invite due survey campaigns' audiences and queue reminders (run from cron)",
        description="Create the invitations of every campaign due today and queue due "
        "reminders; the task worker (manage.py db_worker) sends the e-mails.",
    )
    send.set_defaults(func=cmd_send_surveys)


def cmd_evaluate_feedback(args: argparse.Namespace) -> int:
    from django.conf import settings

    from trustledger.feedback.analysis import evaluate, format_report

    path = args.data or Path(settings.BASE_DIR) / EVAL_SET
    if not path.exists():
        print(f"error: {path} does not exist (give a labelled CSV with --data)", file=sys.stderr)
        return 2
    try:
        report = evaluate(path)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Feedback analysis on {path.name} ({report.rows} labelled comments)\n")
    print(format_report(report), end="")
    return 0


def cmd_analyze_feedback(args: argparse.Namespace) -> int:
    from trustledger.feedback.analysis import MissingColumnError, analyze_csv

    if not args.file.is_file():
        print(f"error: {args.file} does not exist", file=sys.stderr)
        return 2
    try:
        if args.out:
            count = analyze_csv(args.file, args.out, text_column=args.text_column)
            print(f"{count} rows analysed into {args.out}", file=sys.stderr)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "analysed.csv"
                analyze_csv(args.file, out, text_column=args.text_column)
                with out.open(encoding="utf-8") as source:
                    shutil.copyfileobj(source, sys.stdout)
    except MissingColumnError as error:
        print(f"error: {error} (choose one with --text-column)", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"error: {args.file} is not UTF-8 text; save it as CSV UTF-8", file=sys.stderr)
        return 2
    return 0


def cmd_send_surveys(args: argparse.Namespace) -> int:
    from trustledger.feedback.services import run_due_surveys

    invited, reminders = run_due_surveys()
    print(f"{invited} invitations created, {reminders} reminders queued.")
    return 0
