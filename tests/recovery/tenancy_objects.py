"""Workspace A's trust recovery objects, one per URL parameter name, for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas
from tests.recovery.factories import (
    ActionFactory,
    GoalFactory,
    RecoveryPlanFactory,
    WhyChainFactory,
)


def objects(p: Personas) -> dict[str, Any]:
    plan = RecoveryPlanFactory(client=p.client_a, title="Acme Secret recovery")
    return {
        "recovery_plan_id": plan,
        "recovery_chain_id": WhyChainFactory(plan=plan, problem="Acme Secret problem"),
        "recovery_action_id": ActionFactory(plan=plan, title="Acme Secret action"),
        "recovery_goal_id": GoalFactory(plan=plan, measure="Acme Secret goal"),
    }
