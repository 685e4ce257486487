"""The data migration that stops counting earlier imports on no scope as scope creep."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tests.engagements.factories import EngagementFactory, ScopeItemFactory, TimeEntryFactory
from trustledger.engagements import selectors

MIGRATION = "trustledger.engagements.migrations.0005_imported_time_on_no_scope_is_unclassified"


@pytest.mark.django_db
def test_imported_time_on_no_scope_becomes_unclassified_and_logged_time_stays_creep(personas):
    engagement = EngagementFactory(client=personas.client_a)
    item = ScopeItemFactory(engagement=engagement)
    earlier_import = TimeEntryFactory(engagement=engagement, import_key="a", note="PM: plan")
    on_scope = TimeEntryFactory(engagement=engagement, import_key="b", scope_item=item)
    logged = TimeEntryFactory(engagement=engagement, note="extra work nobody agreed")
    assert set(selectors.scope_creep_entries(engagement)) == {earlier_import, logged}

    importlib.import_module(MIGRATION).unclassify(apps, None)

    assert set(selectors.scope_creep_entries(engagement)) == {logged}
    for entry in (earlier_import, on_scope, logged):
        entry.refresh_from_db()
    assert [e.classification for e in (earlier_import, on_scope, logged)] == [
        "unclassified",
        "",
        "",
    ]
