"""What a subscriber receives: the Standard Webhooks JSON body, or a Slack-compatible message."""

from __future__ import annotations

import json
from typing import Any

from trustledger.core.events import EVENT_TYPES, TEST_EVENT, Event
from trustledger.webhooks.models import Format


def title(event_type: str) -> str:
    if event_type == TEST_EVENT:
        return "A test event from Trustledger"
    return EVENT_TYPES.get(event_type, event_type)


def standard(event: Event) -> dict[str, Any]:
    """``{"type", "timestamp", "data"}`` as the spec recommends, with the event's own id."""
    return event.as_dict()


def slack(event: Event) -> dict[str, Any]:
    """A message for a Slack (or Mattermost, Rocket.Chat...) incoming-webhook URL: ``text`` is
    what every such service shows; ``blocks`` add the details where they are understood."""
    summary = str(event.data.get("summary", ""))
    text = f"*{title(event.type)}*" + (f": {summary}" if summary else "")
    fields = [
        {"type": "mrkdwn", "text": f"*{key.replace('_', ' ').capitalize()}*\n{value}"}
        for key, value in event.data.items()
        if key != "summary" and isinstance(value, str | int | float) and value != ""
    ][:10]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"`{event.type}` · {event.id}"}],
        }
    )
    return {"text": text, "blocks": blocks}


def render(format: str, event: Event) -> str:
    """The exact body (signed and sent as is, on every attempt)."""
    body = slack(event) if format == Format.SLACK else standard(event)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
