"""Time and scope pages: an engagement's unclassified task names, mapping them (on the
engagement or firm-wide), and saying on the engagement and trust pages that unclassified time
is not counted against the firm."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.engagements.factories import EngagementFactory, ScopeItemFactory, TimeEntryFactory
from trustledger.engagements import selectors
from trustledger.engagements.models import TaskMapping, TimeEntry
from trustledger.engagements.time_scope import map_task
from trustledger.trust.models import SnapshotKind
from trustledger.trust.services import take_snapshots

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement(personas):
    engagement = EngagementFactory(client=personas.client_a, name="ERP selection")
    ScopeItemFactory(engagement=engagement, title="Vendor shortlist")
    return engagement


def imported(engagement, task: str, hours: str = "2", **fields) -> TimeEntry:
    """A row as an importer writes one whose task names no scope item."""
    fields.setdefault("import_key", f"{task}-{hours}-{TimeEntry.objects.count()}")
    return TimeEntryFactory(
        engagement=engagement,
        task=task,
        hours=Decimal(hours),
        classification="unclassified",
        **fields,
    )


def time_page(client, engagement) -> str:
    response = client.get(f"/engagements/{engagement.pk}/time/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_time_page_lists_unclassified_task_names_with_their_hours(client, personas, engagement):
    imported(engagement, "Project Management", "3")
    imported(engagement, "project  management", "1.5")
    imported(engagement, "", "2")
    TimeEntryFactory(engagement=engagement, hours=Decimal(4))  # logged on nothing agreed
    client.force_login(personas.amir)

    page = time_page(client, engagement)

    assert "Project Management" in page and "4.5" in page, "one row for both spellings"
    assert "(no task)" in page
    assert "Unapproved scope" in page and "Unclassified" in page
    assert "not counted for or against" in page
    assert f"/engagements/{engagement.pk}/time/map/?task=Project%20Management" in page


def test_an_engagement_without_time_says_so(client, personas, engagement):
    client.force_login(personas.sam)

    page = time_page(client, engagement)

    assert "No time logged or imported yet." in page
    assert "Nothing unclassified." in page
    assert "No task mappings yet." in page
    assert "Map a task name" not in page, "staff see, account managers map"


def test_an_account_manager_maps_a_task_and_its_hours_move(client, personas, engagement):
    row = imported(engagement, "Shortlisting", "3")
    item = engagement.scope_items.get()
    client.force_login(personas.amir)

    response = client.post(
        f"/engagements/{engagement.pk}/time/map/",
        {"task": "shortlisting", "maps_to": f"s{item.pk}"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/engagements/{engagement.pk}/time/#unclassified"
    page = response.content.decode()
    assert "now counts as Vendor shortlist on this engagement: 1 imported entry changed" in page
    row.refresh_from_db()
    assert row.scope_item == item and row.classification == ""
    assert "Nothing unclassified." in page


def test_the_map_form_is_prefilled_and_refuses_a_firm_wide_scope_item(client, personas, engagement):
    imported(engagement, "Shortlisting")
    item = engagement.scope_items.get()
    client.force_login(personas.alice)
    url = f"/engagements/{engagement.pk}/time/map/"

    form = client.get(url, {"task": "Shortlisting"}).content.decode()
    refused = client.post(
        url, {"task": "Shortlisting", "maps_to": f"s{item.pk}", "firm_wide": "on"}
    )

    assert 'value="Shortlisting"' in form and "Vendor shortlist" in form
    assert "For every engagement (firm-wide)" in form
    assert refused.status_code == 200
    assert "A firm-wide task names no one engagement" in refused.content.decode()
    assert not TaskMapping.objects.exists()


def test_an_account_manager_cannot_map_for_the_whole_firm(client, personas, engagement):
    client.force_login(personas.amir)

    form = client.get(f"/engagements/{engagement.pk}/time/map/").content.decode()
    wide = client.post("/engagements/tasks/map/", {"task": "Meetings", "maps_to": "overhead"})

    assert "firm-wide" not in form
    assert wide.status_code == 403
    assert not TaskMapping.objects.exists()


def test_the_map_form_asks_what_the_task_counts_as_rather_than_guessing(
    client, personas, engagement
):
    client.force_login(personas.amir)

    response = client.post(f"/engagements/{engagement.pk}/time/map/", {"task": "Shortlisting"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not TaskMapping.objects.exists()


def test_staff_cannot_map_a_task(client, personas, engagement):
    client.force_login(personas.sam)

    response = client.post(
        f"/engagements/{engagement.pk}/time/map/", {"task": "X", "maps_to": "overhead"}
    )

    assert response.status_code == 403


def test_an_owner_maps_a_task_firm_wide_from_the_task_names_page(client, personas, engagement):
    other = EngagementFactory(client=personas.other_client_a, name="Data Platform")
    imported(engagement, "Internal meeting", "2")
    imported(other, "Internal meeting", "1")
    client.force_login(personas.alice)

    listing = client.get("/engagements/tasks/").content.decode()
    response = client.post(
        "/engagements/tasks/map/", {"task": "Internal meeting", "maps_to": "overhead"}, follow=True
    )

    assert "Internal meeting" in listing and "Map Internal meeting firm-wide" in listing
    page = response.content.decode()
    assert "now counts as Approved overhead firm-wide: 2 imported entries changed" in page
    assert selectors.unclassified_tasks(personas.workspace_a) == []
    assert "Nothing unclassified." in page


def test_removing_a_mapping_from_the_time_page(client, personas, engagement):
    row = imported(engagement, "Internal meeting")
    mapping = map_task(
        personas.workspace_a,
        engagement=engagement,
        task="Internal meeting",
        target="overhead",
        by=None,
    ).mapping
    client.force_login(personas.amir)

    assert "Remove" in time_page(client, engagement)
    response = client.post(f"/engagements/task-mappings/{mapping.pk}/remove/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.classification == "unclassified"


def test_an_account_manager_cannot_remove_a_firm_wide_mapping(client, personas, engagement):
    mapping = map_task(
        personas.workspace_a, engagement=None, task="Meetings", target="overhead", by=None
    ).mapping
    client.force_login(personas.amir)

    response = client.post(f"/engagements/task-mappings/{mapping.pk}/remove/")

    assert response.status_code == 403
    assert TaskMapping.objects.filter(pk=mapping.pk).exists()


def test_the_engagement_page_says_unclassified_time_is_not_scope_creep(
    client, personas, engagement
):
    imported(engagement, "Project Management", "5")
    client.force_login(personas.amir)

    page = client.get(f"/engagements/{engagement.pk}/").content.decode()

    assert "Unclassified: 5 h of imported time." in page
    assert "not counted as scope creep" in page
    assert "Work on unapproved scope" not in page
    assert "5 h unclassified</a>, not counted" in page
    assert f"/engagements/{engagement.pk}/time/" in page


def test_the_trust_page_says_unclassified_time_is_not_counted(client, personas, engagement):
    today = timezone.localdate()
    imported(engagement, "Project Management", "5", date=today - dt.timedelta(days=3))
    take_snapshots(personas.workspace_a, today, kind=SnapshotKind.CURRENT)
    client.force_login(personas.amir)

    page = client.get(f"/trust/clients/{personas.client_a.pk}/").content.decode()

    assert "5 h unclassified (imported tasks that name no scope item)" in page
    assert "not counted for or against the firm" in page


def test_the_time_page_takes_a_fixed_number_of_queries(client, personas, engagement):
    def fill(n: int) -> None:
        for i in range(n):
            imported(engagement, f"Task {i}")
            TimeEntryFactory(engagement=engagement, scope_item=engagement.scope_items.get())
            map_task(
                personas.workspace_a,
                engagement=engagement,
                task=f"Mapped {i}",
                target="overhead",
                by=None,
            )

    client.force_login(personas.amir)
    fill(1)
    time_page(client, engagement)  # warm up the session
    with CaptureQueriesContext(connection) as small:
        time_page(client, engagement)
    fill(6)
    with CaptureQueriesContext(connection) as large:
        time_page(client, engagement)

    assert len(small) == len(large), "a query per row somewhere"
