"""Concern and Integrity facts from communication: inquiries against their SLA, the planned
check-ins, reviews and budget updates held or not, and promises kept. Seven queries in all, one
of them for the versions of touches, inquiries and promises edited after the day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from trustledger.communications import selectors
from trustledger.communications.models import (
    BusinessCalendar,
    Commitment,
    CommunicationPlan,
    Holiday,
    Inquiry,
    Interaction,
)
from trustledger.core.inputs import trust_input

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


@trust_input(Inquiry, Interaction, Commitment, CommunicationPlan, BusinessCalendar, Holiday)
def collect(scope: Scope, facts: FactsByClient) -> None:
    # the selectors take an inclusive instant; the scope's cut-off is exclusive
    end = scope.known_before - dt.timedelta(microseconds=1)
    ws, since, ids = scope.workspace, scope.window_start, scope.client_ids
    versions = selectors.versions_in_force(ws, end, ids)  # of facts edited after the day
    for client_id, inquiries in selectors.inquiry_facts(
        ws, as_of=end, since=since, client_ids=ids, versions=versions
    ).items():
        facts[client_id].inquiries.extend(inquiries)
    for client_id, periods in selectors.cadence_facts(
        ws, as_of=end, since=since, client_ids=ids, versions=versions
    ).items():
        facts[client_id].cadence_periods.extend(periods)
    for client_id, promises in selectors.commitment_facts(
        ws, as_of=end, since=since, client_ids=ids, versions=versions
    ).items():
        facts[client_id].commitments.extend(promises)
