"""Fault tests run real processes against an installation of their own (see ``harness``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.harness import Installation, Template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    made = Template(tmp_path_factory.mktemp("faults-template"))
    yield made
    made.drop()


@pytest.fixture
def site(template: Template, tmp_path) -> Iterator[Installation]:
    """A fresh, migrated installation on the suite's engine (a SQLite file, or a new database
    on the suite's PostgreSQL server)."""
    with template.copy(tmp_path) as installation:
        yield installation
