"""`trustledger score` and `trustledger backtest`: the index from the command line.

Imports of Django code happen inside the commands: the parser is built before Django is set up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any


def add_commands(sub: Any) -> None:
    score = sub.add_parser(
        "score",
        help="print every client's trust index and its top reasons",
        description="Compute the trust index of every client the firm serves as of a date (from "
        "what was known then) and print it with the indicators pulling it down the most.",
    )
    score.add_argument("--workspace", help="workspace slug (may be left out when there is one)")
    score.add_argument("--as-of", type=dt.date.fromisoformat, help="date, YYYY-MM-DD (today)")
    score.add_argument("--json", action="store_true", help="machine-readable output")
    score.set_defaults(func=cmd_score)


def _reasons(card: Any, n: int = 2) -> list[str]:
    """The indicators furthest below the index, with their weakest piece of evidence."""
    weakest = sorted((r for r in card.indicators if r.score is not None), key=lambda r: r.score)
    out = []
    for result in weakest[:n]:
        worst = min(result.evidence, key=lambda e: e.impact, default=None)
        why = f": {worst.description}" if worst is not None and worst.impact < 0 else ""
        out.append(f"{result.key} {result.score:.0f}{why}")
    return out


def cmd_score(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from trustledger.clients.models import Client
    from trustledger.trust.services import score_workspace
    from trustledger.workspaces.selectors import resolve_workspace

    workspace = resolve_workspace(args.workspace)
    as_of = args.as_of or timezone.localdate()
    cards, _ = score_workspace(workspace, as_of)
    names = dict(Client.objects.for_workspace(workspace).values_list("pk", "name"))
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "client_id": cid,
                "client": names[cid],
                "index": None if card.index.index is None else round(card.index.index, 1),
                "band": card.index.band,
                "confidence": round(card.index.confidence, 3),
                "reasons": _reasons(card),
            }
            for cid, card in cards.items()
        ),
        key=lambda r: (r["index"] is None, r["index"] or 0, r["client"]),
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
        index = "—" if r["index"] is None else f"{r['index']:.0f}"
        reasons = "; ".join(r["reasons"])
        print(f"{r['client'][:32]:32} {index:>6} {r['band']:16} {r['confidence']:>5.0%}  {reasons}")
    return 0
