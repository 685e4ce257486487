"""Workspace A's exchange rates, one per URL parameter name, for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas
from tests.money.factories import ExchangeRateFactory


def objects(p: Personas) -> dict[str, Any]:
    return {"exchange_rate_id": ExchangeRateFactory(workspace=p.workspace_a)}
