"""Workspace A's time-and-scope objects, one per URL parameter name, for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas
from tests.engagements.factories import EngagementFactory
from trustledger.engagements.time_scope import map_task


def objects(p: Personas) -> dict[str, Any]:
    engagement = EngagementFactory(client=p.client_a, name="Acme Secret Engagement")
    mapping = map_task(
        p.workspace_a,
        engagement=engagement,
        task="Acme Secret task",
        target="overhead",
        by=None,
    ).mapping
    return {"task_mapping_id": mapping}
