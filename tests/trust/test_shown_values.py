"""One value, one rounding: the index reads the same on the trust page, the portfolio, the client
page, the API, the command line and the digest, and what explains a change adds up to it.

Reproduces the contradictions of issue 14: a headline of 29 beside "Since 22 Nov: 28.0 from 31.0"
(``add:0`` truncates), a CLI that said 28.6 (and "28" for 28.52, rounding ties to even), and
"what changed" items that summed to -2.3 on a page that said they add up.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from contextlib import redirect_stdout

import pytest
from django.utils import timezone

from tests.communications.factories import CommitmentFactory
from tests.feedback.factories import SurveyResponseFactory
from tests.smtp import delivered
from trustledger.cli import main
from trustledger.scoring.index import INDICATORS
from trustledger.trust.digest import send_alert_digests
from trustledger.trust.models import Alert, SnapshotKind, TrustSnapshot
from trustledger.trust.services import current_config, take_snapshots, update_config

TODAY = timezone.localdate()
WEEK_AGO = TODAY - dt.timedelta(days=7)


def snapshot(personas, as_of, kind, **scores):
    """A stored snapshot whose index is the mean of ``scores`` (weights 1), as the index has it."""
    index = sum(scores.values()) / len(scores)
    return TrustSnapshot.objects.create(
        workspace=personas.workspace_a,
        client=personas.client_a,
        as_of=as_of,
        kind=kind,
        index=round(index, 2),
        confidence=1.0,
        band="at_risk",
        pillar_scores={"results": round(index, 2)},
        scores={k: scores.get(k) for k in INDICATORS},
        weights=dict.fromkeys(INDICATORS, 1.0),
        evidence={},
        config=current_config(personas.workspace_a),
    )


@pytest.fixture
def oakridge(personas):
    """28.6 now, 30.9 a week ago: on-time fell 1.7 and budget 2.9, i.e. -0.85 and -1.45."""
    snapshot(personas, WEEK_AGO, SnapshotKind.WEEKLY, on_time=22.0, budget=39.8)
    return snapshot(personas, TODAY, SnapshotKind.CURRENT, on_time=20.3, budget=36.9)


def trust_page(client, personas) -> str:
    client.force_login(personas.amir)
    return client.get(f"/trust/clients/{personas.client_a.pk}/").content.decode()


@pytest.mark.django_db
def test_the_change_since_last_week_reads_in_the_headline_s_own_numbers(client, personas, oakridge):
    page = trust_page(client, personas)

    assert re.search(r'<span class="trust-number">29</span>', page)
    assert re.search(rf"<dt>Since {WEEK_AGO:%-d %b}</dt><dd>29 from 31 ", page)
    assert "28.0" not in page


@pytest.mark.django_db
def test_what_changed_adds_up_to_the_change_shown(client, personas, oakridge):
    page = trust_page(client, personas)
    changed = page[page.index('id="h-changed"') :]
    changed = changed[: changed.index("</section>")]
    parts = re.findall(r"<li>(.*?) <strong[^>]*>([^<]*)</strong>", changed)

    assert parts == [("On-time delivery", "−1"), ("Budget adherence", "−1")]
    assert "add up to the change from 31 to 29 (−2)" in changed


@pytest.mark.django_db
def test_the_portfolio_shows_the_same_index_and_change(client, personas, oakridge):
    client.force_login(personas.amir)
    page = client.get("/trust/").content.decode()
    row = page[page.index("Acme Secret Holdings") :]
    row = row[: row.index("</tr>")]

    assert "<strong>29</strong>" in row
    assert re.search(r'class="num falling">−2</td>', row)


@pytest.mark.django_db
def test_the_api_reports_the_shown_index_and_labels_the_exact_one(client, personas, oakridge):
    client.force_login(personas.amir)
    body = client.get(f"/api/clients/{personas.client_a.pk}/trust").json()
    row = client.get("/api/trust/portfolio").json()["items"]
    row = next(r for r in row if r["client_id"] == personas.client_a.pk)

    assert (body["index"], body["index_exact"], body["change_since_last_week"]) == (29, 28.6, -2)
    assert (row["index"], row["index_exact"], row["change_since_last_week"]) == (29, 28.6, -2)
    shown = {i["key"]: i["change_since_last_week"] for i in body["indicators"]}
    assert (shown["on_time"], shown["budget"], shown["quality"]) == (-1, -1, None)


@pytest.fixture
def tie(personas):
    """A client whose index is 28.52: 100 on commitments (weight 0.2852), 0 on recommendation
    (weight 0.7148), every other indicator switched off."""
    weights = dict.fromkeys(INDICATORS, 0.0) | {"commitments": 0.2852, "recommendation": 0.7148}
    update_config(personas.workspace_a, by=None, weights=weights)
    noon = dt.time(12, tzinfo=dt.UTC)
    CommitmentFactory(
        client=personas.client_a,
        made_on=TODAY - dt.timedelta(days=10),
        due_on=TODAY - dt.timedelta(days=3),
        done_on=TODAY - dt.timedelta(days=4),
        recorded_at=dt.datetime.combine(TODAY - dt.timedelta(days=10), noon),
        settled_at=dt.datetime.combine(TODAY - dt.timedelta(days=4), noon),
    )
    answered = dt.datetime.combine(TODAY - dt.timedelta(days=2), noon)
    SurveyResponseFactory(client=personas.client_a, score=0, answered_at=answered)
    take_snapshots(personas.workspace_a, TODAY, kind=SnapshotKind.CURRENT)
    current = TrustSnapshot.objects.get(client=personas.client_a, kind=SnapshotKind.CURRENT)
    assert current.index == 28.52
    return current


def score_cli(personas, *flags: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["score", "--workspace", personas.workspace_a.slug, *flags]) == 0
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_line_shows_the_index_the_page_shows(client, personas, tie):
    page = trust_page(client, personas)
    human = score_cli(personas)
    line = next(line for line in human.splitlines() if line.startswith("Acme Secret"))
    clients = json.loads(score_cli(personas, "--json"))["clients"]
    row = next(r for r in clients if r["client"] == "Acme Secret Holdings")

    assert '<span class="trust-number">29</span>' in page
    assert line.split()[3] == "29"  # "Acme Secret Holdings 29 at_risk ..."
    assert (row["index"], row["index_exact"]) == (29, 28.52)


@pytest.mark.django_db
def test_the_digest_names_each_client_s_index_as_the_page_shows_it(personas, tie):
    assert (
        Alert.objects.get(client=personas.client_a, cause="detractor_answer").owner == personas.amir
    )
    send_alert_digests(personas.workspace_a, TODAY)
    (body,) = [m.body for m in delivered() if m.to == [personas.amir.email]]

    assert "Acme Secret Holdings, trust index 29 (at risk)" in body
