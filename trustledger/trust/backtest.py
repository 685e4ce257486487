"""Run the backtest on a workspace's history: the index at each month end, from what was known
then, against the clients lost in the following months."""

from __future__ import annotations

import datetime as dt

from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.scoring.backtest import BacktestReport, Observation, evaluate, learn_weights
from trustledger.trust.services import current_config, score_workspace
from trustledger.workspaces.models import Workspace

HORIZON_DAYS = 180


def month_ends(last: dt.date, count: int) -> list[dt.date]:
    """The ``count`` month ends up to ``last``, oldest first."""
    ends, day = [], last.replace(day=1) - dt.timedelta(days=1)
    if (last + dt.timedelta(days=1)).day == 1:
        day = last
    for _ in range(count):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return ends[::-1]


def observations(
    workspace: Workspace,
    *,
    months: int,
    today: dt.date | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> list[Observation]:
    """One observation per client served at each month end whose horizon has fully passed."""
    today = today or local_today(workspace)
    config = current_config(workspace)
    lost_on = dict(
        Client.objects.for_workspace(workspace)
        .filter(lost_on__isnull=False)
        .values_list("pk", "lost_on")
    )
    out = []
    for end in month_ends(today - dt.timedelta(days=horizon_days), months):
        cards, _ = score_workspace(workspace, end, config)
        horizon = end + dt.timedelta(days=horizon_days)
        for client_id, card in cards.items():
            lost = lost_on.get(client_id)
            out.append(
                Observation(
                    month_end=end,
                    client_id=client_id,
                    index=card.index.index,
                    band=card.index.band,
                    scores=dict(card.index.scores),
                    lost_within_horizon=lost is not None and end < lost <= horizon,
                    lost_on=lost,
                )
            )
    return out


def run_backtest(
    workspace: Workspace, *, months: int = 24, today: dt.date | None = None, learn: bool = True
) -> BacktestReport:
    obs = observations(workspace, months=months, today=today)
    report = evaluate(obs)
    learned = learn_weights(obs) if learn else None
    notes = [
        f"Month ends within the last {HORIZON_DAYS} days are left out: their outcome is not "
        "known yet.",
        "Observations without enough data (confidence below the minimum) are counted by band but "
        "not in the AUC.",
    ]
    if learn and learned is None:
        notes.append("Too few losses in the history to learn weights from (at least 5 needed).")
    return BacktestReport(**{**report.__dict__, "learned": learned, "notes": notes})
