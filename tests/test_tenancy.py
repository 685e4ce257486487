"""Charlie (workspace B) walks every URL of the project and reaches nothing of workspace A's.

The URL list comes from the URL conf itself, so a new page or API route is covered the day it is
added; a new URL parameter must be given an object of A's below, or this test fails.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.communications.factories import (
    CommitmentFactory,
    HolidayFactory,
    InquiryFactory,
    InteractionFactory,
    PlanFactory,
)
from tests.conftest import Personas
from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    SuccessCriterionFactory,
    TimeEntryFactory,
)
from tests.feedback.factories import (
    FollowUpFactory,
    SurveyCampaignFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
)
from trustledger.trust.models import Alert
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

# URLs that anyone may open (sign-in, password reset, API docs, the API's JSON 404 for unknown
# paths, which reads nothing); admin has its own staff gate.
# The client portal has its own sign-in for contacts and its own isolation tests (tests/portal/);
# its firm-side routes (portal/firm/) are walked here like every other firm page.
PUBLIC = re.compile(
    r"^(login/|logout/|password-reset/|api/docs|api/openapi\.json|api/<path:path>$|admin/|s/"
    r"|portal/(?!firm/)"
    r"|healthz$)"
)
# Each newer app lists its own objects in tests/<app>/tenancy_objects.py.
OBJECT_PROVIDERS = [
    "tests.engagements.tenancy_objects",
    "tests.recovery.tenancy_objects",
    "tests.relationships.tenancy_objects",
    "tests.reports.tenancy_objects",
    "tests.portal.tenancy_objects",
    "tests.money.tenancy_objects",
    "tests.api.tenancy_objects",
    "tests.webhooks.tenancy_objects",
]
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _patterns(resolvers: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route.lstrip("^").rstrip("$")


def _a_objects(p: Personas) -> dict[str, Callable[[], Any]]:
    """Workspace A's object for each URL parameter name (add new parameter names here)."""
    key, _ = create_api_key(p.workspace_a, name="A key", scope=ApiKeyScope.READ, by=p.alice)
    engagement = EngagementFactory(client=p.client_a, name="Acme Secret Engagement")
    milestone = MilestoneFactory(engagement=engagement)
    deliverable = DeliverableFactory(engagement=engagement, milestone=milestone)
    change_request = ChangeRequestFactory(engagement=engagement)
    objects = {
        "client_id": p.client_a,
        "contact_id": p.contact_a,
        "key_id": key,
        "workspace_id": p.workspace_a,
        "engagement_id": engagement,
        "milestone_id": milestone,
        "deliverable_id": deliverable,
        "change_request_id": change_request,
        "time_entry_id": TimeEntryFactory(engagement=engagement),
        "quality_issue_id": QualityIssueFactory(engagement=engagement, deliverable=deliverable),
        "notice_id": NoticeFactory(engagement=engagement, milestone=milestone),
        "scope_item_id": ScopeItemFactory(engagement=engagement),
        "criterion_id": SuccessCriterionFactory(engagement=engagement),
        "campaign_id": (campaign := SurveyCampaignFactory(workspace=p.workspace_a)),
        "invitation_id": SurveyInvitationFactory(contact=p.contact_a, campaign=campaign),
        "response_id": SurveyResponseFactory(client=p.client_a, comment="Acme Secret feedback"),
        "follow_up_id": FollowUpFactory(client=p.client_a, summary="Acme Secret follow-up"),
        "plan_id": PlanFactory(client=p.client_a),
        "interaction_id": InteractionFactory(client=p.client_a, subject="Acme Secret call"),
        "inquiry_id": InquiryFactory(client=p.client_a, subject="Acme Secret question"),
        "commitment_id": CommitmentFactory(client=p.client_a, description="Acme Secret promise"),
        "holiday_id": HolidayFactory(workspace=p.workspace_a, name="Acme Secret Day"),
        "alert_id": Alert.objects.create(
            workspace=p.workspace_a,
            client=p.client_a,
            cause="band_drop",
            detail="Acme Secret",
            suggested_step="Call",
            evidence_date=dt.date(2026, 1, 1),
        ),
    }
    for module in OBJECT_PROVIDERS:
        objects.update(importlib.import_module(module).objects(p))
    return {name: (lambda obj=obj: obj.pk) for name, obj in objects.items()}


def _urls(p: Personas) -> list[str]:
    objects = _a_objects(p)
    urls = []
    for route in _patterns(get_resolver().url_patterns):
        if PUBLIC.match(route):
            continue
        names = [m["name"] for m in PARAM.finditer(route)]
        missing = [n for n in names if n not in objects]
        assert not missing, f"give test_tenancy an object of A's for {missing} in {route}"
        urls.append("/" + PARAM.sub(lambda m: str(objects[m["name"]]()), route))
    return urls


@pytest.mark.django_db
def test_the_walk_covers_pages_and_api_routes(personas):
    urls = _urls(personas)
    assert f"/clients/{personas.client_a.pk}/" in urls
    assert f"/api/clients/{personas.client_a.pk}" in urls
    assert len(urls) >= 15


# A body most write routes accept, so that a refusal comes from the lookup, not from validation.
PROBE = {"name": "Probe", "email": "probe@probe.example", "tier": "key", "role": "staff"}
MISSING_ID = "987654321"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_a_stranger_reaches_nothing_of_another_workspace(client, personas, method):
    client.force_login(personas.charlie)
    secrets = [
        personas.client_a.name,
        personas.contact_a.email,
        personas.other_client_a.name,
        "Acme Secret Engagement",
    ]
    for url in _urls(personas):
        response = getattr(client, method)(url, content_type="application/json", data=PROBE)
        body = response.content.decode(errors="replace")
        for secret in secrets:
            assert secret not in body, f"{method.upper()} {url} shows A's {secret!r}"
        if not re.search(r"/\d+(/|$)", url):
            continue
        status = response.status_code
        assert status in (403, 404, 405, 422), f"{method.upper()} {url}: {status}"
        if status == 422:  # refused before the lookup: must look exactly like a missing object
            missing = getattr(client, method)(
                re.sub(r"/\d+(?=/|$)", "/" + MISSING_ID, url),
                content_type="application/json",
                data=PROBE,
            )
            assert missing.status_code == 422, f"{method.upper()} {url} is an existence oracle"


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in_or_refused(client, personas):
    for url in _urls(personas):
        response = client.get(url)
        assert response.status_code in (302, 401, 403, 404, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/login/"), url


@pytest.mark.django_db
def test_admin_is_for_staff_only(client, personas):
    client.force_login(personas.alice)
    response = client.get("/admin/clients/client/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
