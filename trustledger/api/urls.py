"""The REST API under /api/: OpenAPI schema at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from trustledger.api.auth import ApiKeyAuth, WorkspaceSessionAuth
from trustledger.workspaces.services import DomainError

api = NinjaAPI(
    title="Trustledger API",
    version="1",
    description=(
        "Authenticate with your browser session or a workspace API key sent as "
        "`Authorization: Bearer <key>` (create keys under Settings → API keys)."
    ),
    auth=[WorkspaceSessionAuth(), ApiKeyAuth()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    loc: list[str] = ["body", exc.field] if exc.field else ["body"]
    return api.create_response(
        request, {"detail": [{"loc": loc, "msg": exc.message, "type": "domain_error"}]}, status=400
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


def _register_routers() -> None:
    from trustledger.analytics.api import router as analytics_router
    from trustledger.clients.api import router as clients_router
    from trustledger.communications.api import router as communications_router
    from trustledger.engagements.api import router as engagements_router
    from trustledger.feedback.api import router as feedback_router
    from trustledger.portal.api import router as portal_router
    from trustledger.recovery.api import router as recovery_router
    from trustledger.relationships.api import router as relationships_router
    from trustledger.reports.api import router as reports_router
    from trustledger.trust.api import router as trust_router

    api.add_router("/", clients_router)
    api.add_router("/", engagements_router)
    api.add_router("/", communications_router)
    api.add_router("/", feedback_router)
    api.add_router("/", trust_router)
    api.add_router("/", analytics_router)
    api.add_router("/", recovery_router)
    api.add_router("/", relationships_router)
    api.add_router("/", reports_router)
    api.add_router("/", portal_router)


_register_routers()
