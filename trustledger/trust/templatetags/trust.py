from typing import Any

from django import template

from trustledger.clients.models import Client
from trustledger.trust.forms import LABELS
from trustledger.trust.selectors import current_snapshot

register = template.Library()

BANDS = {
    "healthy": "Healthy",
    "watch": "Watch",
    "at_risk": "At risk",
    "not_enough_data": "Not enough data",
}
CAUSES = {
    "band_drop": "Dropped a band",
    "index_fall": "Sharp fall",
    "detractor_answer": "Detractor answer",
    "unapproved_scope": "Work on unapproved scope",
    "milestone_missed_without_notice": "Milestone missed without notice",
    "inquiry_past_sla": "Inquiry past its SLA",
    "cadence_overdue": "Check-ins lapsed",
    "forecast_overrun": "Forecast overrun",
}


@register.filter
def indicator_label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


@register.filter
def band_label(band: str | None) -> str:
    return BANDS.get(band or "not_enough_data", str(band))


@register.filter
def cause_label(cause: str) -> str:
    return CAUSES.get(cause, cause.replace("_", " ").capitalize())


@register.inclusion_tag("trust/partials/_client_panel.html")
def client_trust_panel(client: Client) -> dict[str, Any]:
    """The client page's "Trust" card: the current index, its band and confidence."""
    return {"client": client, "trust": current_snapshot(client)}
