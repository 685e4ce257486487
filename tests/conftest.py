"""Shared fixtures: personas across two workspaces, and the browser set-up.

Alice owns workspace A, Amir is an account manager there (he manages Client A), Sam is staff;
Charlie owns workspace B and must never see anything of A's.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import ClientFactory, ContactFactory, MembershipFactory, WorkspaceFactory
from trustledger.clients.models import Client, Contact
from trustledger.workspaces.models import Role, User, Workspace

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Personas:
    workspace_a: Workspace
    workspace_b: Workspace
    alice: User  # owner of A
    amir: User  # account manager in A
    sam: User  # staff in A
    charlie: User  # owner of B: the stranger
    client_a: Client  # managed by Amir
    other_client_a: Client  # in A, managed by nobody
    contact_a: Contact
    client_b: Client


@pytest.fixture
def personas(db: Any) -> Personas:
    a, b = WorkspaceFactory(name="Alpha Advisors"), WorkspaceFactory(name="Beta Builders")
    alice = MembershipFactory(workspace=a, role=Role.OWNER, user__full_name="Alice Owner").user
    amir = MembershipFactory(
        workspace=a, role=Role.ACCOUNT_MANAGER, user__full_name="Amir Manager"
    ).user
    sam = MembershipFactory(workspace=a, role=Role.STAFF, user__full_name="Sam Staff").user
    charlie = MembershipFactory(workspace=b, role=Role.OWNER, user__full_name="Charlie B").user
    client_a = ClientFactory(workspace=a, name="Acme Secret Holdings", account_manager=amir)
    return Personas(
        workspace_a=a,
        workspace_b=b,
        alice=alice,
        amir=amir,
        sam=sam,
        charlie=charlie,
        client_a=client_a,
        other_client_a=ClientFactory(workspace=a, name="Other Alpha Client"),
        contact_a=ContactFactory(client=client_a, name="Ada Contact"),
        client_b=ClientFactory(workspace=b, name="Beta Own Client"),
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Real hashing costs ~0.3 s a user; tests check behaviour, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's Chromium; nothing is downloaded."""
    if not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing and CI=true: browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} not installed (make system-deps); never skipped when CI=true")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


from tests.background import pipeline  # noqa: E402,F401
from tests.smtp import mail_through_outbox, mailoutbox, smtp_server  # noqa: E402,F401


@pytest.fixture
def poppler() -> None:
    """pdftoppm and pdftotext (scripts/system-deps.sh installs them); never skipped in CI."""
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        if IN_CI:
            pytest.fail("poppler-utils (pdftoppm, pdftotext) is missing and CI=true")
        pytest.skip("poppler-utils not installed (make system-deps); never skipped when CI=true")
