"""Offline analysis of client feedback text: sentiment and the primary trust theme.

Nothing here touches the network or Django: the models are trained in-process, in well under a
second, from the CSV shipped in `data/`, the first time they are needed.
"""

from trustledger.feedback.analysis.evaluation import (
    Analysis,
    Analyzer,
    BatchAnalyzer,
    EvaluationReport,
    MissingColumnError,
    ThemeScores,
    analyze,
    analyze_csv,
    analyze_many,
    evaluate,
    evaluate_dev_split,
    format_report,
)
from trustledger.feedback.analysis.sentiment import SentimentLabel
from trustledger.feedback.analysis.themes import THEMES, Theme

__all__ = [
    "THEMES",
    "Analysis",
    "Analyzer",
    "BatchAnalyzer",
    "EvaluationReport",
    "MissingColumnError",
    "SentimentLabel",
    "Theme",
    "ThemeScores",
    "analyze",
    "analyze_csv",
    "analyze_many",
    "evaluate",
    "evaluate_dev_split",
    "format_report",
]
