"""The workspace's engagements, clients, people and task rules as in-memory indexes.

Importers load them once per file and match every row against them, so a million rows cost no
more queries than ten. Names are compared case-insensitively; a name or code shared by two
records matches neither (the row is reported, never attached to a guess).
"""

from __future__ import annotations

from collections.abc import Callable

from trustledger.engagements.models import Engagement
from trustledger.engagements.time_scope import Classified, TaskRules
from trustledger.workspaces.models import Membership, Workspace

AMBIGUOUS = -1
# Exports repeat the same few project and person spellings on every row: remember the answers
# (up to this many distinct spellings, so memory stays bounded on pathological files).
MEMO_LIMIT = 50_000


def index_ids[K](pairs: list[tuple[K, int]]) -> dict[K, int]:
    """key → id; a key shared by two records maps to AMBIGUOUS, never to either of them."""
    index: dict[K, int] = {}
    for key, pk in pairs:
        index[key] = AMBIGUOUS if key in index and index[key] != pk else pk
    return index


class Directory:
    """The workspace's engagements, people and task rules, loaded once per file so rows are
    matched in memory: a million rows cost no more queries than ten."""

    def __init__(self, workspace: Workspace) -> None:
        engagements = list(
            Engagement.objects.for_workspace(workspace).values_list(
                "pk", "external_id", "name", "client__name"
            )
        )
        self.by_code = index_ids([(c.casefold(), pk) for pk, c, _, _ in engagements if c.strip()])
        self.by_client = index_ids(
            [((cl.casefold(), n.casefold()), pk) for pk, _, n, cl in engagements]
        )
        self.by_name = index_ids([(n.casefold(), pk) for pk, _, n, _ in engagements])
        people = Membership.objects.filter(workspace=workspace).values_list(
            "user_id", "user__email", "user__full_name"
        )
        self.by_email = index_ids([(e.casefold(), pk) for pk, e, _ in people])
        self.by_person = index_ids([(n.casefold(), pk) for pk, _, n in people if n])
        self.rules = TaskRules(workspace.pk)
        self._engagements: dict[tuple[str, str, str], int | str] = {}
        self._people: dict[tuple[str, str], int | None] = {}

    def engagement(self, code: str, client: str, project: str) -> int | str:
        """The engagement's id, or why there is none (for the error message)."""
        return _memo(self._engagements, (code, client, project), self._engagement)

    def person(self, email: str, name: str) -> int | None:
        return _memo(self._people, (email, name), self._person)

    def _engagement(self, code: str, client: str, project: str) -> int | str:
        if code and (found := self.by_code.get(code.casefold())):
            if found == AMBIGUOUS:
                return f"several engagements have the code {code}."
            return found
        key = (client.casefold(), project.casefold())
        found = self.by_client.get(key) if client else self.by_name.get(key[1])
        if found == AMBIGUOUS:
            return f"several engagements are named {project}: give them codes to tell them apart."
        if found:
            return found
        of_client = f" for client {client}" if client else ""
        with_code = f" and none with code {code}" if code else ""
        return (
            f"no engagement named {project}{of_client}{with_code}; import the engagements "
            "first (engagements-csv) or correct the name."
        )

    def _person(self, email: str, name: str) -> int | None:
        found = self.by_email.get(email.casefold()) if email else None
        if not found and name:
            found = self.by_person.get(name.casefold())
        return found if found and found != AMBIGUOUS else None

    def classify(self, engagement_id: int, task: str) -> Classified:
        """What a row's task counts as on the engagement (see ``time_scope``)."""
        return self.rules.classify(engagement_id, task)


def _memo[K: tuple[str, ...], V](memo: dict[K, V], key: K, compute: Callable[..., V]) -> V:
    try:
        return memo[key]
    except KeyError:
        value = compute(*key)
        if len(memo) < MEMO_LIMIT:
            memo[key] = value
        return value
