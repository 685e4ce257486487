"""Workspace A's relationship objects, one per URL parameter name, for test_tenancy."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas
from tests.relationships.factories import BusinessReviewFactory, HealthCheckFactory
from trustledger.relationships.services import ensure_routines


def objects(p: Personas) -> dict[str, Any]:
    check = HealthCheckFactory(client=p.client_a, summary="Acme Secret health")
    return {
        "health_check_id": check,
        "review_id": BusinessReviewFactory(client=p.client_a, summary="Acme Secret review"),
        "routine_id": ensure_routines(p.workspace_a)["key"],
    }
