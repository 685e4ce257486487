"""Fixtures for the import tests: workspace A's engagements as the sample files name them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Personas
from tests.engagements.factories import EngagementFactory, ScopeItemFactory
from tests.factories import MembershipFactory
from trustledger.engagements.models import Engagement
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.imports.services import run_import
from trustledger.workspaces.models import Role, User

DATA = Path(__file__).parent.parent / "data" / "imports"


@dataclass
class Firm:
    personas: Personas
    dana: User  # a member whose name and e-mail the sample files use
    finance: Engagement  # Acme's, code ACME-FT, with a "Discovery" scope item
    close: Engagement  # Acme's, no code
    platform: Engagement  # Other Alpha Client's, code OAC-DP

    def run(self, kind: str, file: str | Path, **options: Any) -> ImportResult:
        """Import a sample file (by name) or any path into workspace A, as the CLI would."""
        path = file if isinstance(file, Path) else DATA / file
        options.setdefault("may_override", True)
        return run_import(self.personas.workspace_a, kind, path, ImportOptions(**options))


@pytest.fixture
def firm(personas: Personas) -> Firm:
    dana = MembershipFactory(
        workspace=personas.workspace_a,
        role=Role.STAFF,
        user__full_name="Dana Delivery",
        user__email="dana@alpha.example",
    ).user
    finance = EngagementFactory(
        client=personas.client_a, name="Finance Transformation", external_id="ACME-FT"
    )
    ScopeItemFactory(engagement=finance, title="Discovery")
    return Firm(
        personas=personas,
        dana=dana,
        finance=finance,
        close=EngagementFactory(client=personas.client_a, name="Month-end Close"),
        platform=EngagementFactory(
            client=personas.other_client_a, name="Data Platform", external_id="OAC-DP"
        ),
    )
