"""Explaining the index between any two dates, on the trust page and in the API.

Reproduces issue 14: "An explanation compares only with about a week ago, lists the current
snapshot's top evidence instead of what happened in between, and blames a weight change on
indicators whose scores did not move."
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engagements.factories import EngagementFactory, MilestoneFactory
from tests.feedback.factories import SurveyResponseFactory
from trustledger.core.clock import local_today
from trustledger.scoring.explain import CONFIGURATION, ROUNDING
from trustledger.scoring.index import contributions
from trustledger.trust import explain
from trustledger.trust.models import SnapshotKind, TrustConfig, TrustSnapshot
from trustledger.trust.selectors import as_index_result
from trustledger.trust.services import take_snapshots


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


class Story:
    """An on-time milestone 60 days ago, one delivered late 10 days ago and one on time 5 days
    ago, a promoter's answer
    100 days ago; configuration v1 (lenient confidence) since long ago."""

    def __init__(self, personas):
        self.workspace = personas.workspace_a
        self.client = personas.client_a
        self.today = today = local_today(self.workspace)
        self.v1 = TrustConfig.objects.create(
            workspace=self.workspace, version=1, min_confidence=0.0, created_at=_at(today - D(400))
        )
        engagement = EngagementFactory(
            client=self.client,
            name="Grid upgrade",
            activated_on=today - D(200),
            start_date=today - D(200),
            end_date=today + D(60),
        )
        for name, committed, delivered in (
            ("Survey of the site", today - D(60), today - D(60)),
            ("Cut-over plan", today - D(20), today - D(10)),
            ("Handover", today - D(5), today - D(5)),
        ):
            MilestoneFactory(
                engagement=engagement,
                name=name,
                committed_date=committed,
                buffer_days=0,
                delivered_on=delivered,
                status="delivered",
                recorded_at=_at(today - D(200)),
                delivery_recorded_at=_at(delivered),
            )
        SurveyResponseFactory(client=self.client, score=9, answered_at=_at(today - D(100)))

    def snapshot(self, days_ago: int, kind: str = SnapshotKind.WEEKLY) -> TrustSnapshot:
        [snap] = take_snapshots(
            self.workspace,
            self.today - D(days_ago),
            kind=kind,
            client_ids=[self.client.pk],
            alerts=False,
        )
        return snap

    def reweigh(self, days_ago: int, **weights: float) -> TrustConfig:
        latest = TrustConfig.objects.for_workspace(self.workspace).order_by("-version").first()
        return TrustConfig.objects.create(
            workspace=self.workspace,
            version=latest.version + 1,
            min_confidence=0.0,
            weights=weights,
            created_at=_at(self.today - D(days_ago)),
        )


def D(days: int) -> dt.timedelta:
    return dt.timedelta(days=days)


@pytest.fixture
def story(personas):
    return Story(personas)


def api(client, personas, **params):
    client.force_login(personas.amir)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/api/clients/{personas.client_a.pk}/trust/explain?{query}")


def page(client, personas, **params):
    client.force_login(personas.amir)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    body = client.get(f"/trust/clients/{personas.client_a.pk}/?{query}").content.decode()
    card = body[body.index('id="compare"') :]
    return html.unescape(card[: card.index("</section>")])


@pytest.mark.django_db
def test_any_two_dates_can_be_compared_not_only_a_week_ago(client, personas, story):
    story.snapshot(0, SnapshotKind.CURRENT)
    start, end = story.today - D(90), story.today - D(30)

    body = api(client, personas, **{"from": start, "to": end}).json()

    assert (body["before"]["date"], body["after"]["date"]) == (str(start), str(end))
    assert body["before"]["source"] == body["after"]["source"] == "computed"
    assert body["change"] == body["after"]["index"] - body["before"]["index"]


@pytest.mark.django_db
def test_the_events_between_the_dates_are_listed_and_those_outside_are_not(client, personas, story):
    story.snapshot(0, SnapshotKind.CURRENT)
    dates = {"from": story.today - D(14), "to": story.today}

    body = api(client, personas, **dates).json()
    card = page(client, personas, **dates)

    titles = [e["title"] for e in body["events"]]
    assert titles == ["Delivered Handover", "Delivered Cut-over plan late"]
    assert body["events_total"] == 2
    assert "Delivered Cut-over plan late" in card
    assert "Survey of the site" not in card and "Survey of the site" not in str(body)
    wider = api(client, personas, **{"from": story.today - D(120), "to": story.today}).json()
    assert [e["date"] for e in wider["events"]] == sorted(
        (e["date"] for e in wider["events"]), reverse=True
    )
    assert {"Delivered Cut-over plan late", "Delivered Survey of the site"} <= {
        e["title"] for e in wider["events"]
    }


@pytest.mark.django_db
def test_the_event_list_is_capped_on_the_page_with_a_show_all_link(client, personas, story):
    for _ in range(explain.EVENTS_ON_PAGE + 3):
        SurveyResponseFactory(client=story.client, score=9, answered_at=_at(story.today - D(2)))
    story.snapshot(0, SnapshotKind.CURRENT)
    dates = {"from": story.today - D(14), "to": story.today}

    capped = page(client, personas, **dates)
    every = page(client, personas, **dates, events="all")

    total = explain.EVENTS_ON_PAGE + 5
    assert capped.count('<li class="story-') == explain.EVENTS_ON_PAGE
    assert f"Show all {total} events" in capped
    assert every.count('<li class="story-') == total and "Show all" not in every


@pytest.mark.django_db
def test_a_weight_change_between_the_dates_is_its_own_line_not_blamed_on_unmoved_indicators(
    client, personas, story
):
    before = story.snapshot(14)
    v2 = story.reweigh(5, recommendation=3.0)
    after = story.snapshot(0, SnapshotKind.CURRENT)
    dates = {"from": story.today - D(14), "to": story.today}

    body = api(client, personas, **dates).json()
    card = page(client, personas, **dates)

    assert before.scores["recommendation"] == after.scores["recommendation"] == 100.0
    naive = contributions(as_index_result(before), as_index_result(after))
    assert abs(naive["recommendation"]) > 1  # the defect: the new weight blamed on it
    assert [i["key"] for i in body["indicators"]] == ["on_time"]
    change = body["configuration_change"]
    assert (change["from_version"], change["to_version"]) == (1, v2.version)
    assert change["changed_on"] == str(story.today - D(5))
    assert "Recommendation (NPS) weight 1 → 3" in change["changes"]
    under_v1 = explain.services.snapshot_as_of(story.client, story.today, story.v1)
    assert change["change_exact"] == pytest.approx(after.index - under_v1.index, abs=0.005)
    assert body["indicators"][0]["change"] + change["change"] + body["rounding"] == body["change"]
    assert f"Configuration changed (v1 → v{v2.version} on {story.today - D(5):%-d %b})" in card
    assert "Recommendation (NPS) <strong" not in card


@pytest.mark.django_db
def test_a_stored_snapshot_is_used_only_when_made_from_what_was_known_then(client, personas, story):
    story.snapshot(14)
    story.snapshot(7)
    story.reweigh(10, recommendation=2.0)  # after the 14-day one was in force, before the 7-day

    made_then = explain.explain_between(story.client, story.today - D(14), story.today - D(7))

    assert made_then.start.source == "stored"
    assert made_then.end.source == "computed"  # stored under v1, but v2 was in force that day
    assert made_then.end.snapshot.config.version == 2


@pytest.mark.django_db
def test_page_and_api_agree(client, personas, story):
    story.snapshot(14)
    story.reweigh(5, recommendation=3.0)
    story.snapshot(0, SnapshotKind.CURRENT)
    dates = {"from": story.today - D(14), "to": story.today}

    body = api(client, personas, **dates).json()
    card = page(client, personas, **dates)

    b, a = body["before"], body["after"]
    header = (
        f"{b['index_exact']:.2f} → {a['index_exact']:.2f}</strong>\n    "
        f'<span class="compare-shown">(shown {b["index"]} → {a["index"]}, '
    )
    assert header in card
    shown = "+" if body["change"] > 0 else "−" if body["change"] < 0 else ""
    assert f">{shown}{abs(body['change'])}</strong>)" in card
    listed = re.findall(r"<li>(.*?) <strong[^>]*>([^<]*)</strong>", card)
    assert listed == [
        (i["label"], ("+" if i["change"] > 0 else "−") + str(abs(i["change"])))
        for i in body["indicators"]
    ]


@pytest.mark.django_db
def test_without_dates_page_and_api_compare_the_since_line_s_week_with_today(
    client, personas, story
):
    story.snapshot(9)
    story.snapshot(2)
    story.snapshot(0, SnapshotKind.CURRENT)

    body = api(client, personas).json()
    client.force_login(personas.amir)
    full = client.get(f"/trust/clients/{personas.client_a.pk}/").content.decode()

    assert (body["before"]["date"], body["after"]["date"]) == (
        str(story.today - D(9)),
        str(story.today),
    )
    assert body["before"]["source"] == body["after"]["source"] == "stored"
    assert f"<dt>Since {story.today - D(9):%-d %b}</dt>" in full


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(0, 260), second=st.integers(0, 260), reweighed=st.integers(0, 260))
def test_the_parts_add_up_exactly_to_the_shown_change_for_any_two_dates(
    personas, first, second, reweighed
):
    if first == second:
        return
    TrustConfig.objects.filter(workspace=personas.workspace_a).delete()
    story = Story(personas)
    story.reweigh(reweighed, recommendation=4.0, on_time=0.5)
    start, end = story.today - D(max(first, second)), story.today - D(min(first, second))

    result = explain.explain_between(story.client, start, end)

    e = result.explanation
    if e.change is None:
        assert e.shown == {}
        return
    assert sum(e.shown.values()) == e.shown_change
    assert e.config_changed == (result.config_change is not None)
    if result.config_change is None:
        assert CONFIGURATION not in e.shown
    before, after = result.start.snapshot.scores, result.end.snapshot.scores
    for key, _exact, _shown in result.indicators():
        assert before[key] != after[key], f"{key} did not move but was given a part"
    assert set(e.shown) <= {k for k, _, _ in result.indicators()} | {CONFIGURATION, ROUNDING}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "yesterday"}, "from", ""),
        ({"from": "2026-02-30"}, "from", ""),
        ({"to": "0001-01-01", "from": "0001-01-01"}, "from", "in 2000 or later"),
        ({"from": "FUTURE"}, "from", "cannot be after today"),
        ({"to": "FUTURE"}, "to", "cannot be after today"),
        ({"from": "TODAY", "to": "TODAY"}, "from", "must be before"),
        ({"from": "TODAY", "to": "WEEK_AGO"}, "from", "must be before"),
    ],
)
def test_bad_dates_are_refused_with_the_field_named_and_never_a_500(
    client, personas, story, params, field, message
):
    words = {
        "FUTURE": story.today + D(1),
        "TODAY": story.today,
        "WEEK_AGO": story.today - D(7),
    }
    params = {k: words.get(v, v) for k, v in params.items()}
    story.snapshot(0, SnapshotKind.CURRENT)

    answer = api(client, personas, **params)
    client.force_login(personas.amir)
    full = client.get(f"/trust/clients/{personas.client_a.pk}/", params)

    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert error["loc"] == ["query", field]
    assert message in error["msg"]
    assert full.status_code == 200
    card = page(client, personas, **params)
    assert 'class="form-error"' in card
    assert message in card
    assert f'id="c-{field}"' in card.split('aria-invalid="true"')[0].rsplit("<input", 1)[-1] or (
        message == ""  # a date the browser's own field would not send: the message says which
    )


@pytest.mark.django_db
def test_a_stranger_cannot_explain_another_workspace_s_client(client, personas, story):
    client.force_login(personas.charlie)

    answer = client.get(f"/api/clients/{personas.client_a.pk}/trust/explain")
    full = client.get(f"/trust/clients/{personas.client_a.pk}/?from=2026-01-01")

    assert answer.status_code == 404 and full.status_code == 404


@pytest.mark.django_db
def test_the_route_is_in_the_openapi_schema_with_explain_schemas(client, personas):
    client.force_login(personas.amir)
    schema = client.get("/api/openapi.json").json()

    route = schema["paths"]["/api/clients/{client_id}/trust/explain"]["get"]
    assert {p["name"] for p in route["parameters"]} >= {"from", "to", "client_id"}
    assert {"ExplainOut", "ExplainIndicatorOut", "ExplainConfigChangeOut"} <= set(
        schema["components"]["schemas"]
    )


@pytest.mark.django_db
def test_the_api_s_weekly_change_does_not_blame_a_new_weight_on_unmoved_indicators(
    client, personas, story
):
    story.snapshot(14)
    story.reweigh(5, recommendation=3.0)
    story.snapshot(0, SnapshotKind.CURRENT)
    client.force_login(personas.amir)

    body = client.get(f"/api/clients/{personas.client_a.pk}/trust").json()

    parts = {i["key"]: i["change_since_last_week"] for i in body["indicators"]}
    assert parts["recommendation"] is None and parts["no_surprises"] is None
    explained = api(client, personas).json()
    assert body["change_since_last_week"] == explained["change"]
    assert parts["on_time"] == explained["indicators"][0]["change"]


@pytest.mark.django_db
def test_explaining_takes_as_many_queries_whatever_the_number_of_events(personas, story):
    story.snapshot(14)
    story.snapshot(0, SnapshotKind.CURRENT)
    start = story.today - D(14)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            explain.explain_between(story.client, start, story.today)
        return len(captured)

    few = queries()
    for _ in range(30):
        SurveyResponseFactory(client=story.client, score=3, answered_at=_at(story.today - D(2)))

    assert queries() == few
    assert few <= 40
