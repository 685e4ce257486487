"""The questions of a relationship health check, grouped by area.

The three pillars of trust (Shaw: results, integrity, concern) and the six skills that turn a
specialist into a trusted advisor (strategic thinking, change management, communication, business
acumen, talking about value, relationships). Keys are stored with each answer, so rewording a
question keeps the history; a new question needs a new key.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustledger.scoring.health import AREAS, PILLARS


@dataclass(frozen=True)
class Question:
    key: str
    area: str
    text: str


AREA_LABELS: dict[str, str] = {
    "results": "Results",
    "integrity": "Integrity",
    "concern": "Concern",
    "strategic_thinking": "Strategic thinking",
    "change_management": "Change management",
    "communication": "Communication",
    "business_acumen": "Business acumen",
    "value": "Talking about value",
    "relationships": "Relationships",
}
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("Trust", PILLARS),
    ("Trusted-advisor skills", tuple(a for a in AREAS if a not in PILLARS)),
]

QUESTIONS: tuple[Question, ...] = (
    Question("delivers", "results", "We deliver what we promised, when we promised it."),
    Question("outcomes", "results", "The client sees measurable results from our work."),
    Question("bad_news", "integrity", "We tell the client bad news early and plainly."),
    Question("no_surprises", "integrity", "Scope and budget hold no surprises for the client."),
    Question("priorities", "concern", "We act on the client's priorities, not only on ours."),
    Question("listens", "concern", "The client feels heard: we answer fast and follow up."),
    Question(
        "strategy",
        "strategic_thinking",
        "We bring ideas beyond the current project that serve the client's strategy.",
    ),
    Question(
        "adoption",
        "change_management",
        "We help the client's people adopt the changes our work brings.",
    ),
    Question(
        "plain_language",
        "communication",
        "Our experts explain their work in the client's language, not ours.",
    ),
    Question(
        "business",
        "business_acumen",
        "We understand the client's business, market and numbers.",
    ),
    Question(
        "value_talk",
        "value",
        "We talk with the client about the value delivered, not only hours and costs.",
    ),
    Question(
        "breadth",
        "relationships",
        "We know the sponsor, the users and the decision makers, not only one contact.",
    ),
)
BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
ANSWER_LABELS: dict[int, str] = {
    1: "1 · Not at all",
    2: "2 · Rarely",
    3: "3 · Sometimes",
    4: "4 · Mostly",
    5: "5 · Fully",
}


def area_label(area: str) -> str:
    return AREA_LABELS.get(area, area.replace("_", " ").capitalize())
