"""Workspace A's relationship objects, one per URL parameter name, for test_tenancy."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas


def objects(p: Personas) -> dict[str, Any]:
    return {}
