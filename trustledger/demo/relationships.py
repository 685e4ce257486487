"""Tier routines, health checks and business reviews in the demo firm."""

from __future__ import annotations

from trustledger.demo.context import DemoContext


def build(ctx: DemoContext) -> None:
    """Runs after the trust index is built (it reads alerts and snapshots)."""
