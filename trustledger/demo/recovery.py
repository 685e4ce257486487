"""Recovery plans in the demo firm: some that worked, some that did not."""

from __future__ import annotations

from trustledger.demo.context import DemoContext


def build(ctx: DemoContext) -> None:
    """Runs after the trust index is built (it reads alerts and snapshots)."""
