"""`trustledger score` and `trustledger backtest`: the index from the command line.

Imports of Django code happen inside the commands: the parser is built before Django is set up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from trustledger.scoring.display import (
    display_index,
    format_number,
    format_percent,
    kept,
    round_half_up,
)


def add_commands(sub: Any) -> None:
    score = sub.add_parser(
        "score",
        help="print every client's trust index and its top reasons",
        description="Compute the trust index of every client the firm serves as of a date (from "
        "what was known then) and print it with the indicators pulling it down the most.",
    )
    score.add_argument("--workspace", help="workspace slug (may be left out when there is one)")
    score.add_argument("--as-of", type=dt.date.fromisoformat, help="date, YYYY-MM-DD (today)")
    score.add_argument(
        "--json",
        action="store_true",
        help="machine-readable output: 'index' as the pages show it (a whole number), "
        "'index_exact' as stored (two decimals)",
    )
    score.set_defaults(func=cmd_score)

    backtest = sub.add_parser(
        "backtest",
        help="measure how well the index foresaw the clients that were lost",
        description="Compute the index at each month end from what was known then, label the "
        "clients lost in the following 180 days, and report ROC AUC with a bootstrap 95%% "
        "interval, churn by band, lead time, and weights learned from this history.",
    )
    backtest.add_argument("--workspace", help="workspace slug (may be left out when there is one)")
    backtest.add_argument("--months", type=int, default=24, help="month ends to test (24)")
    backtest.add_argument("--json", action="store_true", help="machine-readable output")
    backtest.set_defaults(func=cmd_backtest)


def _reasons(card: Any, n: int = 2) -> list[str]:
    """The indicators furthest below the index, with their weakest piece of evidence."""
    weakest = sorted((r for r in card.indicators if r.score is not None), key=lambda r: r.score)
    out = []
    for result in weakest[:n]:
        worst = min(result.evidence, key=lambda e: e.impact, default=None)
        why = f": {worst.description}" if worst is not None and worst.impact < 0 else ""
        out.append(f"{result.key} {display_index(result.score)}{why}")
    return out


def cmd_score(args: argparse.Namespace) -> int:
    from trustledger.clients.models import Client
    from trustledger.core.clock import local_today
    from trustledger.trust.services import score_workspace
    from trustledger.workspaces.selectors import resolve_workspace

    workspace = resolve_workspace(args.workspace)
    as_of = args.as_of or local_today(workspace)
    cards, _ = score_workspace(workspace, as_of)
    names = dict(Client.objects.for_workspace(workspace).values_list("pk", "name"))
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "client_id": cid,
                "client": names[cid],
                "index": display_index(card.index.index),
                "index_exact": None if card.index.index is None else kept(card.index.index),
                "band": card.index.band,
                "confidence": round_half_up(card.index.confidence, 4),  # as snapshots keep it
                "reasons": _reasons(card),
            }
            for cid, card in cards.items()
        ),
        key=lambda r: (r["index"] is None, r["index_exact"] or 0, r["client"]),
    )
    if args.json:
        json.dump(
            {"workspace": workspace.slug, "as_of": as_of.isoformat(), "clients": rows},
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    print(f"Trust index of {workspace.name} as of {as_of:%d %b %Y} ({len(rows)} clients)\n")
    print(f"{'client':32} {'index':>6} {'band':16} {'conf.':>5}  top reasons")
    for r in rows:
        index = "—" if r["index"] is None else str(r["index"])
        reasons = "; ".join(r["reasons"])
        confidence = format_percent(r["confidence"])
        print(f"{r['client'][:32]:32} {index:>6} {r['band']:16} {confidence:>5}  {reasons}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    import dataclasses

    from trustledger.trust.backtest import run_backtest
    from trustledger.workspaces.selectors import resolve_workspace

    workspace = resolve_workspace(args.workspace)
    report = run_backtest(workspace, months=args.months)
    if args.json:
        json.dump(dataclasses.asdict(report), sys.stdout, indent=2, default=str)
        print()
        return 0
    print(format_backtest(workspace.name, report))
    return 0


def format_backtest(name: str, r: Any) -> str:
    def pct(x: float | None) -> str:
        return format_percent(x)

    def fmt(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    auc = "—" if r.auc is None else f"{r.auc:.3f}"
    ci = (
        ""
        if r.auc_interval is None
        else f" (95% CI {r.auc_interval[0]:.3f}–{r.auc_interval[1]:.3f})"
    )
    lines = [
        f"Backtest of {name}: {r.months} month ends, {r.observations} client-months "
        f"({r.scored} with enough data), {r.losses} followed by a loss within 180 days",
        f"ROC AUC of the risk (100 - index): {auc}{ci}",
        "Churn within 180 days by band:",
        *(
            f"  {b.band:16} {b.count:6} client-months  {b.events:4} lost  {pct(b.rate)}"
            for b in r.by_band
        ),
        f"Lost clients flagged below the at-risk line before leaving: {r.flagged_before_loss} of "
        f"{r.lost_clients}; median lead time "
        + ("—" if r.lead_days_median is None else f"{format_number(r.lead_days_median)} days"),
    ]
    if r.learned is not None:
        lw = r.learned
        lines += [
            f"Learned weights (forward-validated on {lw.test_observations} client-months): "
            f"AUC {fmt(lw.auc_learned)} vs configured {fmt(lw.auc_configured)}",
            "  " + ", ".join(f"{k} {w:g}" for k, w in lw.weights.items()),
        ]
    lines += [f"Note: {n}" for n in r.notes]
    return "\n".join(lines)
