"""One extension mechanism: every app's contributions are discovered at start-up."""

from __future__ import annotations

from pathlib import Path

import trustledger
from trustledger.core import extensions


def test_every_extension_point_found_its_contributors():
    modules = {
        registry.name: {getattr(i, "__module__", "") for i in registry}
        for registry in extensions._REGISTRIES
    }
    assert {
        "trustledger.engagements.timeline",
        "trustledger.trust.timeline",
        "trustledger.recovery.timeline",
    } <= modules["timeline events"]
    assert {"trustledger.communications.due", "trustledger.recovery.due"} <= modules["due items"]
    inputs = {item.name for item in extensions.trust_inputs}
    assert inputs == {
        "trustledger.engagements.trust_inputs",
        "trustledger.communications.trust_inputs",
        "trustledger.feedback.trust_inputs",
    }
    jobs = {job.name for job in extensions.periodic_jobs}
    assert {
        "trust.weekly_snapshots",
        "trust.nightly_recompute",
        "trust.alert_digests",
        "trust.sla_alerts",
        "feedback.due_surveys",
        "recovery.alerts",
        "reports.draft_due",
        "core.prune",
    } <= jobs
    # every app's api.py that defines a router contributes it, found by the same discovery
    package = Path(trustledger.__file__).parent
    with_router = [p for p in package.glob("*/api.py") if "\nrouter = " in p.read_text()]
    assert len(with_router) >= 10
    assert len(extensions.api_routers) == len(with_router)
    # Each app's router, known by its tag (a count alone misses a router that replaced another).
    assert {tag for router in extensions.api_routers for tag in router.tags} >= {
        *("analytics", "clients", "communications", "engagements", "imports", "money"),
        *("portal", "recovery", "relationships", "reports", "surveys", "trust", "workspace"),
    }
    assert {spec.kind for spec in extensions.importers} >= {"harvest", "mbox", "ics"}


def test_registering_twice_is_harmless():
    registry: extensions.Registry[str] = extensions.Registry("test", module="nothing_here")
    try:
        registry.register("a")
        registry.register("a")
        assert list(registry) == ["a"]
    finally:
        extensions._REGISTRIES.remove(registry)
