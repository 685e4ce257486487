"""Workspace A's client portal objects, one per URL parameter name, for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas


def objects(p: Personas) -> dict[str, Any]:
    return {}
