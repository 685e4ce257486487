"""Workspace A set up for communications: Acme (client A) writes from acme.example, the firm
from firm.example, on office hours in Berlin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Personas
from tests.factories import ContactFactory
from trustledger.communications.sla import update_business_calendar
from trustledger.scoring.businesstime import OFFICE_HOURS

DATA = Path(__file__).parent.parent / "data" / "communications"


@pytest.fixture
def firm(personas: Personas) -> Personas:
    """Named addresses for the people the sample files mention."""
    for user, email in (
        (personas.alice, "alice@firm.example"),
        (personas.amir, "amir@firm.example"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    ContactFactory(client=personas.client_a, name="Ada Contact", email="ada@acme.example")
    update_business_calendar(
        personas.workspace_a, by=None, time_zone="Europe/Berlin", hours=OFFICE_HOURS
    )
    return personas


@pytest.fixture
def data() -> Path:
    return DATA


def run(kind: str, workspace: Any, path: Path, **options: Any) -> Any:
    """Import through the shared framework: one transaction, all or nothing."""
    import trustledger.communications.importers  # noqa: F401  (registers the kinds)
    from trustledger.imports.result import ImportOptions
    from trustledger.imports.services import run_import

    return run_import(workspace, kind, path, ImportOptions(name=path.name, **options))
