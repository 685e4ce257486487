"""Factories of recovery plans and their parts (flows go through the services instead)."""

from __future__ import annotations

import datetime as dt

import factory

from tests.factories import ClientFactory
from trustledger.recovery.models import Action, Goal, RecoveryPlan, RootCause, Update, WhyChain, Win


class RecoveryPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryPlan

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    title = factory.Sequence(lambda n: f"Recovery plan {n}")
    trigger = "Two milestones missed without notice"
    opened_on = dt.date(2026, 1, 5)
    owner = factory.SelfAttribute("client.account_manager")


class _PlanPart(factory.django.DjangoModelFactory):
    plan = factory.SubFactory(RecoveryPlanFactory)
    workspace = factory.SelfAttribute("plan.workspace")


class WhyChainFactory(_PlanPart):
    class Meta:
        model = WhyChain

    problem = "The March milestone slipped"


class RootCauseFactory(_PlanPart):
    class Meta:
        model = RootCause

    description = factory.Sequence(lambda n: f"Root cause {n}")
    category = "process"
    factor = "on_time"


class ActionFactory(_PlanPart):
    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Action {n}")
    due_on = dt.date(2026, 2, 1)


class GoalFactory(_PlanPart):
    class Meta:
        model = Goal

    measure = "Milestones on time"
    target = "3 of 3"


class UpdateFactory(_PlanPart):
    class Meta:
        model = Update

    sent_on = dt.date(2026, 1, 12)
    summary = "Week one: the new plan is agreed."


class WinFactory(_PlanPart):
    class Meta:
        model = Win

    on = dt.date(2026, 1, 20)
    what = "Demo delivered a day early"
