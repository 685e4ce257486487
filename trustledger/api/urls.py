"""The REST API under /api/: OpenAPI schema at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from trustledger.api.auth import ApiKeyAuth, WorkspaceSessionAuth
from trustledger.core.extensions import api_routers
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


for router in api_routers:  # each app's ``api`` module registers its router
    api.add_router("/", router)
