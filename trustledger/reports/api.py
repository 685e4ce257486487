"""Status reports in the REST API: list, draft, read, edit the narrative, send, download as PDF.

Each route looks its report up within the caller's workspace (another firm's id is a 404) and
checks the caller's role on the report's client: everyone reads, account managers of the client,
leaders and owners draft, edit and send. Ids in a body that name nothing of this workspace (or
client) are a 400 naming the field.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS
from trustledger.api.fields import changes
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client, Contact
from trustledger.core.extensions import api_routers
from trustledger.engagements.models import Engagement
from trustledger.reports import selectors, services
from trustledger.reports.mail import pdf_download
from trustledger.reports.models import StatusReport
from trustledger.reports.schemas import ReportFilter, ReportIn, ReportOut, ReportPatch, SendIn
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["reports"])
api_routers.register(router)
OK = {200: ReportOut, **ERRORS}


def _report(who: ApiCaller, report_id: int, action: Action) -> StatusReport:
    report = get_for_workspace_or_404(StatusReport, who.workspace, pk=report_id)
    who.require(action, report.client)
    return report


@router.get("/status-reports", response={200: list[ReportOut], **ERRORS})
@paginate(Pagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> Any:
    return selectors.list_reports(
        caller(request).workspace,
        client_id=filters.client_id,
        engagement_id=filters.engagement_id,
        status=filters.status or "",
    )


@router.post("/status-reports", response={201: ReportOut, **ERRORS})
def draft_report(request: HttpRequest, payload: ReportIn) -> Any:
    """Draft from the live figures; the narrative is written from them, to edit before sending."""
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    ws = who.workspace
    engagement = None
    if payload.engagement_id is not None:
        engagement = Engagement.objects.for_workspace(ws).filter(pk=payload.engagement_id).first()
        if engagement is None:
            raise DomainError("No engagement of this workspace has this id.", field="engagement_id")
        if payload.client_id is not None and payload.client_id != engagement.client_id:
            raise DomainError("The engagement is not one of this client's.", field="client_id")
        client = engagement.client
    elif payload.client_id is not None:
        found = Client.objects.for_workspace(ws).filter(pk=payload.client_id).first()
        if found is None:
            raise DomainError("No client of this workspace has this id.", field="client_id")
        client = found
    else:
        raise DomainError(
            "Name the engagement (or the client) to report on.", field="engagement_id"
        )
    who.require(Action.MANAGE_CLIENTS, client)
    report = services.draft_report(client, engagement=engagement, by=who.user)
    return Status(201, report)


@router.get("/status-reports/{report_id}", response=OK)
def get_report(request: HttpRequest, report_id: int) -> Any:
    return _report(caller(request), report_id, Action.VIEW)


@router.patch("/status-reports/{report_id}", response=OK)
def update_report(request: HttpRequest, report_id: int, payload: ReportPatch) -> Any:
    """Edit a draft's narrative or title; a sent report is a 400."""
    who = caller(request)
    report = _report(who, report_id, Action.MANAGE_CLIENTS)
    data = changes(payload)
    for name in ("title", "narrative"):
        if name in data and data[name] is None:
            raise DomainError("This field cannot be emptied.", field=name)
    return services.update_report(report, by=who.user, **data)


@router.post("/status-reports/{report_id}/send", response=OK)
def send_report(request: HttpRequest, report_id: int, payload: SendIn) -> Any:
    """Freeze the figures, e-mail the report with its PDF to the contacts (of the report's
    client), and record it as a budget update. A failed send leaves it a draft (400)."""
    who = caller(request)
    report = _report(who, report_id, Action.MANAGE_CLIENTS)
    contacts = list(
        Contact.objects.for_workspace(who.workspace).filter(
            client=report.client, pk__in=payload.contact_ids
        )
    )
    if len(contacts) != len(set(payload.contact_ids)):
        raise DomainError("Every recipient must be a contact of this client.", field="contact_ids")
    return services.send_report(report, by=who.user, contacts=contacts)


@router.get(
    "/status-reports/{report_id}/pdf",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The report as a PDF (live figures while a draft).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The PDF the report page offers."""
    return pdf_download(_report(caller(request), report_id, Action.VIEW))
