from __future__ import annotations

from typing import Any

from django import forms

from trustledger.scoring.index import INDICATORS, PILLARS
from trustledger.trust.models import TrustConfig

LABELS = {
    "on_time": "On-time delivery",
    "budget": "Budget adherence",
    "quality": "Quality",
    "outcomes": "Outcomes",
    "scope_control": "Scope control",
    "no_surprises": "No surprises",
    "commitments": "Commitments kept",
    "responsiveness": "Responsiveness",
    "cadence": "Cadence",
    "closing_loop": "Closing the loop",
    "recommendation": "Recommendation (NPS)",
    "sentiment": "Sentiment",
    "loyalty": "Loyalty behaviour",
}


class TrustConfigForm(forms.Form):
    """The index's weights and thresholds; saving makes a new, audited version."""

    window_days = forms.IntegerField(min_value=7, max_value=1095, label="Window (days)")
    half_life_days = forms.FloatField(min_value=1, max_value=1095, label="Half-life (days)")
    healthy_at = forms.FloatField(min_value=0, max_value=100, label="Healthy at or above")
    at_risk_below = forms.FloatField(min_value=0, max_value=100, label="At risk below")
    min_confidence = forms.FloatField(
        min_value=0,
        max_value=1,
        label="Minimum confidence",
        help_text="Share of the weight that must have data (0 to 1) before a number is shown.",
    )
    fall_alert_points = forms.FloatField(
        min_value=1, max_value=100, label="Alert on a fall of (points)"
    )
    fall_alert_days = forms.IntegerField(min_value=1, max_value=365, label="within (days)")
    note = forms.CharField(max_length=300, required=False, label="Why this change")

    def __init__(self, *args: Any, config: TrustConfig, **kwargs: Any) -> None:
        initial = {
            f: getattr(config, f)
            for f in (
                "window_days",
                "half_life_days",
                "healthy_at",
                "at_risk_below",
                "min_confidence",
                "fall_alert_points",
                "fall_alert_days",
            )
        }
        weights = config.index_settings().weights
        initial |= {f"weight_{k}": weights[k] for k in INDICATORS}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for key in INDICATORS:
            self.fields[f"weight_{key}"] = forms.FloatField(
                min_value=0, max_value=10, label=LABELS[key]
            )

    def weight_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(pillar, [self[f"weight_{k}"] for k in keys]) for pillar, keys in PILLARS.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"healthy_at", "at_risk_below"} <= data.keys() and data["at_risk_below"] > data[
            "healthy_at"
        ]:
            self.add_error("at_risk_below", "Must not be above the healthy threshold.")
        if all(f"weight_{k}" in data for k in INDICATORS) and not any(
            data[f"weight_{k}"] > 0 for k in INDICATORS
        ):
            self.add_error(None, "At least one indicator needs a weight above zero.")
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        weights = {k: data.pop(f"weight_{k}") for k in INDICATORS}
        data.pop("note", None)
        return data | {"weights": weights}
