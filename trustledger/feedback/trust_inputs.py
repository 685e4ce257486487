"""Voice and Concern facts from the voice of the client: NPS answers, the sentiment of comments,
and the follow-ups of detractors and complaints. Three queries, whatever the number of clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustledger.core.inputs import trust_input
from trustledger.feedback import selectors
from trustledger.feedback.models import FollowUp, SurveyResponse

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


@trust_input(SurveyResponse, FollowUp)
def collect(scope: Scope, facts: FactsByClient) -> None:
    ws, as_of, since, ids = scope.workspace, scope.as_of, scope.window_start, scope.client_ids
    answers = selectors.nps_answers_by_client(ws, as_of, since=since, client_ids=ids)
    for client_id, items in answers.items():
        facts[client_id].nps_answers.extend(items)
    remarks = selectors.remarks_by_client(ws, as_of, since=since, client_ids=ids)
    for client_id, notes in remarks.items():
        facts[client_id].remarks.extend(notes)
    follow_ups = selectors.follow_ups_by_client(ws, as_of, since=since, client_ids=ids)
    for client_id, due in follow_ups.items():
        facts[client_id].follow_ups.extend(due)
