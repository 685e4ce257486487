"""Workspace A's status reports objects, one per URL parameter name, for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas
from trustledger.reports.models import StatusReport


def objects(p: Personas) -> dict[str, Any]:
    report = StatusReport.objects.create(
        workspace=p.workspace_a,
        client=p.client_a,
        title="Acme Secret Holdings report",
        period_start="2026-01-01",
        period_end="2026-01-31",
        narrative="Acme Secret Engagement narrative",
    )
    return {"report_id": report}
