"""The shared import entry points know the communication kinds: the upload page and the CLI."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trustledger.communications.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_upload_page_imports_a_mailbox_and_reports_what_it_skipped(client, firm, data):
    client.force_login(firm.alice)
    page = client.get("/imports/").content.decode()
    for label in ("E-mail mailbox (.mbox)", "Calendar (.ics)", "Zendesk tickets"):
        assert label in page

    mailbox = SimpleUploadedFile("inbox.mbox", (data / "inbox.mbox").read_bytes())
    body = client.post("/imports/", {"kind": "mbox", "file": mailbox}).content.decode()

    assert Interaction.objects.for_workspace(firm.workspace_a).count() == 6
    assert "<dt>Messages created</dt><dd>6</dd>" in body
    assert "<dt>Unreadable skipped</dt><dd>1</dd>" in body


def test_the_command_line_imports_a_calendar(firm, data, capsys):
    from trustledger.cli import main

    code = main(["import", "ics", str(data / "meetings.ics"), "--workspace", firm.workspace_a.slug])

    assert code == 0
    assert "6 meetings created" in capsys.readouterr().out
