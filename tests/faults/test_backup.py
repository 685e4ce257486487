"""Backup and restore round trip while the site is serving, on the suite's database (SQLite, or
PostgreSQL when DATABASE_URL is set): real ``trustledger serve``, real HTTP, the real CLI."""

from __future__ import annotations

import threading
from collections import Counter

from tests.faults.harness import Browser, Installation, free_port, serving
from tests.faults.scenarios import OWNER, PASSWORD


class Traffic:
    """A signed-in person reading the client list over and over, counting the answers."""

    def __init__(self, base: str) -> None:
        self.browser = Browser(base)
        self.browser.sign_in(OWNER, PASSWORD)
        self.statuses: Counter[int] = Counter()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            status, _ = self.browser.get("/clients/")
            self.statuses[status] += 1

    def __enter__(self) -> Traffic:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=60)


def _clients(site: Installation) -> list[str]:
    return [name for (name,) in site.query("SELECT name FROM clients_client ORDER BY name")]


def test_a_backup_taken_while_serving_restores_the_data_as_it_was(site: Installation, tmp_path):
    site.call("tests.faults.scenarios:firm", 3)
    port = free_port()
    serving(site, port)
    target = tmp_path / "backups" / "nightly.backup"
    with Traffic(f"http://127.0.0.1:{port}") as traffic:
        made = site.cli("backup", str(target))
        assert made.returncode == 0, made.stderr
        assert f"Backed up to {target}" in made.stdout
        site.call("tests.faults.scenarios:firm_grows", "Client added after the backup")
        assert "Client added after the backup" in _clients(site)

        restored = site.cli("restore", str(target), "--yes")
        assert restored.returncode == 0, restored.stderr
        assert _clients(site) == ["Client 000", "Client 001", "Client 002"]
        status, _ = traffic.browser.get("/clients/")  # the same session: it was in the backup
        assert status == 200
    assert traffic.statuses[200] > 0
    assert set(traffic.statuses) <= {200}, traffic.statuses  # nobody saw an error meanwhile
    assert not list(target.parent.glob(".nightly.backup.*"))  # no partial file left behind


def test_restoring_something_that_is_not_a_backup_changes_nothing(site: Installation, tmp_path):
    site.call("tests.faults.scenarios:firm", 2)
    junk = tmp_path / "holiday-photos.zip"
    junk.write_bytes(b"PK\x03\x04 not a database")
    refused = site.cli("restore", str(junk), "--yes")
    assert refused.returncode == 1
    assert "is not a Trustledger backup" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _clients(site) == ["Client 000", "Client 001"]
