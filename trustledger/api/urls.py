"""The REST API under /api/: OpenAPI schema at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from trustledger.api.auth import ApiKeyAuth, WorkspaceSessionAuth
from trustledger.api.contract import harden
from trustledger.core.extensions import api_routers
from trustledger.workspaces.services import DomainError

logger = logging.getLogger("trustledger.api")

api = NinjaAPI(
    title="Trustledger API",
    version="1",
    description=(
        "Authenticate with your browser session or a workspace API key sent as "
        "`Authorization: Bearer <key>` (create keys under Settings → API keys)."
    ),
    auth=[ApiKeyAuth(), WorkspaceSessionAuth()],  # a key header first: it never needs CSRF
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


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """Django's refusal, should a shared helper raise it under /api/: a 403 in JSON, not a 500."""
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug still answers in the API's one error shape (JSON), and is logged with its traceback."""
    logger.exception("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request, {"detail": "Internal server error: the failure has been logged."}, status=500
    )


def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    """Any other URL under /api/ is a JSON 404 too, not the site's HTML page."""
    return api.create_response(request, {"detail": "Not found."}, status=404)


for router in api_routers:  # each app's ``api`` module registers its router
    api.add_router("/", router)
harden(api)  # after every router: bounds, unknown query parameters, documented errors
