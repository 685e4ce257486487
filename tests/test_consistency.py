"""One number everywhere: over the demo firm, every surface shows the same value for one fact.

For every client, the index and band are the same (same value, same rounding rule) on the
portfolio, the trust page, the client page, the API, `trustledger score --json` and the digest;
the Inbox's overdue set equals the set of open SLA alerts; the last business review agrees
everywhere; a status report's narrative agrees with its figures. Any disagreement fails.

The demo firm is built once for this module (it takes a while) and removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as WebClient
from django.utils import timezone

from trustledger import cli
from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.core.models import OutboxMessage
from trustledger.core.worker import run_until_idle
from trustledger.demo import generate_demo_firm
from trustledger.demo.people import DEMO_EMAIL
from trustledger.reports.models import StatusReport
from trustledger.scoring.display import display_index, format_number, format_ratio, shown_percent
from trustledger.trust.alerting import check_sla_alerts
from trustledger.trust.digest import send_alert_digests
from trustledger.trust.models import AlertDigest
from trustledger.trust.templatetags.trust import band_label
from trustledger.workspaces.models import User, Workspace


@dataclass
class Demo:
    workspace: Workspace
    owner: User
    clients: list[Client]


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Demo]:
    with django_db_blocker.unblock():
        workspace = generate_demo_firm(seed=7)
        run_until_idle()  # what the worker does after the demo's commits: recomputes, mail
        clients = list(Client.objects.for_workspace(workspace).order_by("pk"))
        yield Demo(workspace, User.objects.get(email=DEMO_EMAIL), clients)
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def web(demo: Demo) -> WebClient:
    browser = WebClient()
    browser.force_login(demo.owner)
    return browser


def _text(content: bytes) -> str:
    return html.unescape(content.decode())


def _portfolio(web: WebClient) -> dict[int, tuple[str, str]]:
    """Client id -> (index as shown, band) on every page of the portfolio."""
    rows: dict[int, tuple[str, str]] = {}
    page = 1
    while True:
        content = _text(web.get(f"/trust/?page={page}").content)
        found = re.findall(
            r'href="/trust/clients/(\d+)/">[^<]*</a></td>\s*<td class="num"><strong>([^<]*)'
            r'</strong></td>\s*<td><span class="badge badge-(\w+)"',
            content,
        )
        rows.update({int(pk): (shown, band) for pk, shown, band in found})
        if f"?page={page + 1}" not in content and f"page={page + 1}&" not in content:
            return rows
        page += 1


def _trust_page(web: WebClient, pk: int) -> tuple[str, str]:
    content = _text(web.get(f"/trust/clients/{pk}/").content)
    match = re.search(
        r'<span class="trust-number">([^<]*)</span>\s*<span class="badge badge-(\w+)"', content
    )
    assert match, f"no headline on the trust page of client {pk}"
    return match[1], match[2]


def _client_page(web: WebClient, pk: int) -> tuple[str, str]:
    content = _text(web.get(f"/clients/{pk}/").content)
    match = re.search(
        r'<span class="trust-number-sm">([^<]*)</span>\s*<span class="badge badge-(\w+)"',
        content,
    )
    assert match, f"no trust card on the client page of client {pk}"
    return match[1], match[2]


def _api(web: WebClient, pk: int) -> dict[str, Any]:
    answer = web.get(f"/api/clients/{pk}/trust")
    assert answer.status_code == 200, answer.content
    return dict(answer.json())


def _cli_scores(demo: Demo) -> dict[int, dict[str, Any]]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["score", "--json", "--workspace", demo.workspace.slug]) == 0
    return {row["client_id"]: row for row in json.loads(out.getvalue())["clients"]}


@pytest.mark.django_db
def test_every_surface_shows_each_clients_index_and_band_alike(demo: Demo, web: WebClient):
    portfolio = _portfolio(web)
    scores = _cli_scores(demo)
    disagreements = []
    for client in demo.clients:
        api = _api(web, client.pk) if client.pk in portfolio else None
        if api is None:
            continue
        assert api["index"] == display_index(api["index_exact"])
        expected = ("—" if api["index"] is None else str(api["index"]), api["band"])
        surfaces = {
            "portfolio": portfolio[client.pk],
            "trust page": _trust_page(web, client.pk),
            "client page": _client_page(web, client.pk),
        }
        if client.pk in scores:
            row = scores[client.pk]
            surfaces["score --json"] = (str(row["index"] or "—"), row["band"])
        for name, got in surfaces.items():
            if got != expected:
                disagreements.append(f"{client.name}: {name} {got} vs API {expected}")
    assert disagreements == []


@pytest.mark.django_db
def test_the_digest_shows_each_clients_index_and_band_as_the_api_does(demo: Demo, web: WebClient):
    today = local_today(demo.workspace)
    AlertDigest.objects.filter(sent_on=today).delete()  # (the worker may have sent today's)
    OutboxMessage.objects.filter(key__startswith="alert-digest:").delete()
    assert send_alert_digests(demo.workspace, today) > 0
    bodies = [
        m.payload["body"] for m in OutboxMessage.objects.filter(key__startswith="alert-digest:")
    ]
    names = {c.name: c.pk for c in demo.clients}
    seen = 0
    disagreements = []
    for body in bodies:
        for name, shown, label in re.findall(
            r"^\* (.+?), trust index (\S+) \((.+?)\):", body, re.M
        ):
            api = _api(web, names[name])
            expected = (str(api["index"]), band_label(api["band"]).lower())
            seen += 1
            if (shown, label) != expected:
                disagreements.append(f"{name}: digest {(shown, label)} vs API {expected}")
    assert seen > 0
    assert disagreements == []


def _all(web: WebClient, path: str) -> list[dict[str, Any]]:
    """Every item of a paginated API list."""
    items: list[dict[str, Any]] = []
    while True:
        answer = web.get(f"{path}&limit=100&offset={len(items)}")
        assert answer.status_code == 200, answer.content
        page = answer.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["count"]:
            return items


def _inbox_overdue_clients(web: WebClient) -> set[int]:
    """Clients with an inquiry the Inbox shows past its SLA (every client's, every page)."""
    clients: set[int] = set()
    page = 1
    while True:
        content = _text(web.get(f"/communications/inbox/?scope=all&page={page}").content)
        clients |= {
            int(pk)
            for pk in re.findall(
                r'<tr class="comm-breached"><td><a class="row-title" href="/clients/(\d+)/', content
            )
        }
        if f"page={page + 1}" not in content:
            return clients
        page += 1


def _overdue_everywhere(web: WebClient, workspace: Workspace) -> tuple[set[int], ...]:
    check_sla_alerts(workspace)  # the ten-minute job, so every surface reads the same instant
    alerts = _all(web, "/api/alerts?status=open")
    return (
        _inbox_overdue_clients(web),
        {a["client_id"] for a in alerts if a["cause"] == "inquiry_past_sla"},
        {q["client_id"] for q in _all(web, "/api/inquiries?state=past_sla")},
    )


@pytest.mark.django_db
def test_the_inbox_overdue_set_is_the_set_of_open_sla_alerts(demo: Demo, web: WebClient):
    inbox, alerts, api = _overdue_everywhere(web, demo.workspace)
    assert inbox == alerts == api
    # A question three days old and unanswered: past its SLA on every surface at once...
    client = next(c for c in demo.clients if c.pk not in inbox and c.status == "active")
    asked = web.post(
        "/api/inquiries",
        {
            "client_id": client.pk,
            "channel": "email",
            "subject": "Where is the report?",
            "received_at": (timezone.now() - dt.timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert asked.status_code == 201, asked.content
    inbox, alerts, api = _overdue_everywhere(web, demo.workspace)
    assert client.pk in inbox
    assert inbox == alerts == api
    # ...and answered: overdue on none, and its alert resolved.
    answered = web.post(
        f"/api/inquiries/{asked.json()['id']}/response",
        {"at": timezone.now().isoformat()},
        content_type="application/json",
    )
    assert answered.status_code == 200, answered.content
    inbox, alerts, api = _overdue_everywhere(web, demo.workspace)
    assert client.pk not in inbox
    assert inbox == alerts == api


def _review_panels(web: WebClient, pk: int) -> dict[str, tuple[str, bool]]:
    """The last business review (date as shown, overdue or not) in each panel that shows it."""
    content = re.sub(r"\s+", " ", _text(web.get(f"/clients/{pk}/").content))
    panels: dict[str, tuple[str, bool]] = {}
    cadence = re.search(
        r"<li><strong>Business reviews</strong>[^·]*· (?:last ([^<]+?)|none held yet) "
        r'<span class="badge badge-(\w+)">([^<]*)</span>',
        content,
    )
    if cadence:
        panels["communications"] = (cadence[1] or "never", "overdue" in cadence[3])
    routines = re.search(
        r"<dt>Business review</dt> <dd>(?:<a [^>]*>)?([^<]+?)(?:</a>)? <br>"
        r'<span class="small ([^"]*)">([^<]*)',
        content,
    )
    if routines:
        last = "never" if routines[1] == "Never" else routines[1]
        overdue = "Overdue since" in routines[3]
        assert overdue == ("text-bad" in routines[2]), f"words and colour disagree: {routines[0]}"
        panels["relationships"] = (last, overdue)
    return panels


@pytest.mark.django_db
def test_the_last_business_review_is_the_same_in_every_panel(demo: Demo, web: WebClient):
    compared = 0
    disagreements = []
    for client in demo.clients:
        panels = _review_panels(web, client.pk)
        if len(panels) == 2:
            compared += 1
            if len(set(panels.values())) != 1:
                disagreements.append(f"{client.name}: {panels}")
    assert compared >= 5, "the demo's clients show their business reviews in both panels"
    assert disagreements == []


@pytest.mark.django_db
def test_each_status_report_narrative_agrees_with_its_figures(demo: Demo):
    reports = list(StatusReport.objects.for_workspace(demo.workspace).exclude(snapshot={}))
    assert reports
    for report in reports:
        text = report.narrative
        engagements = report.snapshot["engagements"]
        open_late = [
            m
            for e in engagements
            for m in e["milestones"]
            if not m["delivered"] and not m["cancelled"] and m["days_late"] > 0
        ]
        if "every open milestone is on track" in text.lower():
            assert open_late == [], f"report {report.pk}: 'on track' beside {open_late}"
            for e in engagements:
                spi = e["budget"].get("spi")
                assert not spi or format_ratio(spi) >= "1.00", f"report {report.pk}: SPI {spi}"
        for m in open_late:
            assert m["name"] in text, f"report {report.pk} does not name late {m['name']}"
        for e in engagements:
            budget = e["budget"]
            overrun = budget.get("forecast_overrun")
            if "within budget" in text and len(engagements) == 1:
                assert overrun is None or shown_percent(overrun) <= 0, f"report {report.pk}"
            hours = format_number(budget["hours"], grouped=True)
            if len(engagements) == 1 and "team logged" in text:
                assert f"team logged {hours} hours" in text, f"report {report.pk}: {hours} h"
