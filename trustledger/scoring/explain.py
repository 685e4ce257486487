"""The change of a client's index between two dates, explained.

Two results are compared: ``before`` (as of the first date, under the configuration in force
then) and ``after`` (as of the second date, under the configuration in force then). When the
configuration changed in between, the later facts are also scored under the earlier
configuration (``after_under_before``), which splits the change in two:

    after - before = (after_under_before - before)   what the facts did, per indicator
                   + (after - after_under_before)     what the configuration change did

so a new weight is never blamed on an indicator whose score did not move: the per-indicator
part compares two results under one configuration, where an unmoved indicator contributes
exactly zero (``index.contributions``).

The shown parts are whole points that add up exactly to the shown change (the difference of the
shown values, ``display.shown_change``); a part that is exactly zero is never handed a point.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from trustledger.scoring.display import apportion, display_index, kept, shown_change
from trustledger.scoring.index import IndexResult, contributions

CONFIGURATION = "configuration"
"""The key of the configuration change's part among the shown parts."""

NOTHING = 1e-9
"""A part this small is float noise around zero: it did not move, and is never handed a point."""

ROUNDING = "rounding"
"""The key of a shown point no part carries: only when every part is exactly zero and the
shown values still differ (the index is rounded from exact scores, the parts from kept ones)."""


@dataclass(frozen=True)
class Explanation:
    """The change between two results: exact (kept, two decimals) and as shown (whole points).

    ``contributions`` are the exact per-indicator parts of what the facts did, ``config_effect``
    the exact effect of the configuration change (None when it did not change, or when it cannot
    be separated because the later facts have no index under the earlier configuration).
    ``shown`` holds whole points per indicator key (and ``CONFIGURATION``, and rarely
    ``ROUNDING``) that add up exactly to ``shown_change``.
    """

    before: float | None
    after: float | None
    config_changed: bool = False
    contributions: Mapping[str, float] = field(default_factory=dict)
    config_effect: float | None = None
    shown: Mapping[str, int] = field(default_factory=dict)

    @property
    def shown_before(self) -> int | None:
        return display_index(self.before)

    @property
    def shown_after(self) -> int | None:
        return display_index(self.after)

    @property
    def change(self) -> float | None:
        """after - before, exact (to the kept two decimals)."""
        if self.before is None or self.after is None:
            return None
        return kept(self.after - self.before)

    @property
    def shown_change(self) -> int | None:
        return shown_change(self.after, self.before)

    @property
    def shown_config_effect(self) -> int | None:
        return self.shown.get(CONFIGURATION, 0) if self.config_changed else None

    def moved(self) -> list[tuple[str, float, int]]:
        """(indicator, exact part, shown part) of the indicators that moved, largest first."""
        rows = [
            (k, v, self.shown.get(k, 0)) for k, v in self.contributions.items() if abs(v) > NOTHING
        ]
        return sorted(rows, key=lambda row: -abs(row[2]))


def explain_change(
    before: IndexResult, after: IndexResult, *, after_under_before: IndexResult | None = None
) -> Explanation:
    """Explain ``after.index - before.index``; give ``after_under_before`` (the later facts
    scored under the earlier configuration) exactly when the configuration changed."""
    changed = after_under_before is not None
    if before.index is None or after.index is None:
        return Explanation(before.index, after.index, config_changed=changed)
    effect: float | None = None
    if after_under_before is not None and after_under_before.index is not None:
        parts = contributions(before, after_under_before)
        effect = kept(after.index - after_under_before.index)
    else:
        parts = contributions(before, after)
    total = shown_change(after.index, before.index) or 0
    return Explanation(
        before.index,
        after.index,
        config_changed=changed,
        contributions=parts,
        config_effect=effect,
        shown=_shown(parts, effect, total),
    )


def _shown(parts: Mapping[str, float], effect: float | None, total: int) -> dict[str, int]:
    """Whole points for the parts that are not exactly zero, adding up to ``total``."""
    moving = {k: v for k, v in parts.items() if abs(v) > NOTHING}
    if effect is not None and abs(effect) > NOTHING:
        moving[CONFIGURATION] = effect
    if not moving:
        return {ROUNDING: total} if total else {}
    return apportion(moving, total=total)
