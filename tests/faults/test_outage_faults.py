"""The site and its worker ride out outages: a mail server that hangs, a database restart, and
several workers running every periodic job at once.

Real processes throughout: `trustledger serve` (gunicorn plus its supervised worker) or
`trustledger worker`, a real SMTP server, PostgreSQL, and HTTP from outside.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.conftest import IN_CI
from tests.faults.harness import (
    TASKS,
    Browser,
    Installation,
    Postgres,
    free_port,
    installation,
    serving,
    wait_until,
)
from tests.faults.scenarios import OWNER, PASSWORD
from tests.faults.test_mail_faults import SlowServer
from trustledger.core.extensions import periodic_jobs

pytestmark = pytest.mark.faults


class BlackHole:
    """A mail server that accepts connections and never says a word."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for connection in self.held:
            connection.close()


def test_a_mail_server_that_never_answers_does_not_stop_the_site(site: Installation):
    mail_port, web_port = free_port(), free_port()
    hole = BlackHole(mail_port)
    # a long SMTP timeout: a request that waited on the mail server would take 10 s
    site.env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(mail_port), EMAIL_TIMEOUT="10")
    site.call("tests.faults.scenarios:firm", 3)
    serving(site, web_port)
    owner = Browser(f"http://127.0.0.1:{web_port}")
    owner.sign_in(OWNER, PASSWORD)

    answers = [owner.post("/settings/members/", {"email": "first@fault.example", "role": "staff"})]
    wait_until(lambda: hole.held, timeout=30, what="the worker to be stuck on the mail server")
    for n in range(8):  # reads and writes while the worker waits on a silent server
        answers += [owner.get("/trust/"), owner.get("/clients/"), owner.get("/settings/members/")]
        answers.append(
            owner.post("/settings/members/", {"email": f"person{n}@fault.example", "role": "staff"})
        )
    statuses = {status for status, _ in answers}
    assert statuses <= {200, 302}, answers
    assert max(seconds for _, seconds in answers) < 5, answers

    hole.close()  # the mail server recovers
    smtp = SlowServer(mail_port)
    smtp.start()
    try:
        wait_until(lambda: len(smtp.messages) >= 9, timeout=90, what="the invitations")
        wait_until(lambda: site.outbox_counts() == {"sent": 9}, timeout=15, what="all sent")
        assert sorted(smtp.recipients()) == sorted(
            ["first@fault.example", *(f"person{n}@fault.example" for n in range(8))]
        )
        assert set(smtp.message_ids().values()) == {1}
    finally:
        smtp.stop()


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    try:
        server = Postgres()
    except FileNotFoundError as missing:
        if IN_CI:
            pytest.fail(f"{missing} and CI=true: the restart test must run")
        pytest.skip(str(missing))
    yield server
    server.remove()


def test_a_postgresql_restart_under_a_live_site_loses_no_task(postgres: Postgres, tmp_path):
    with installation(tmp_path / "site", postgres.url) as site:
        site.call("tests.faults.scenarios:firm", 10)
        web_port = free_port()
        serving(site, web_port)
        owner = Browser(f"http://127.0.0.1:{web_port}")
        owner.sign_in(OWNER, PASSWORD)
        queued = site.call("tests.faults.scenarios:recompute_everyone", 10)
        wait_until(
            lambda: site.value(f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'SUCCESSFUL'") > 15,
            timeout=60,
            what="the worker to be busy",
        )
        postgres.stop()
        time.sleep(8)
        postgres.start()

        def finished() -> bool:
            counts = site.task_counts()
            return counts.get("READY", 0) + counts.get("RUNNING", 0) == 0

        wait_until(finished, timeout=120, what="every task after the restart", every=0.5)
        counts = site.task_counts()
        assert counts.get("FAILED", 0) == 0, site.log("serve.log")[-3000:]
        assert counts["SUCCESSFUL"] >= queued
        assert "The worker stopped" not in site.log("serve.log")  # it recovered by itself
        assert "database unavailable" in site.log("serve.log")  # and it did see the outage
        assert owner.get("/trust/")[0] == 200  # the site serves again
        assert owner.get("/healthz")[0] == 200


def test_two_workers_running_every_periodic_job_for_several_rounds_duplicate_nothing(
    site: Installation,
):
    mail_port = free_port()
    smtp = SlowServer(mail_port)
    smtp.start()
    site.env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(mail_port))
    try:
        site.call("tests.faults.scenarios:firm", 6)
        site.call("tests.faults.scenarios:busy_firm")
        site.start_worker("worker-a")
        site.start_worker("worker-b")

        every_job = len(periodic_jobs)  # one workspace: one run of each job per round

        def idle() -> bool:
            tasks = site.task_counts()
            mail = site.outbox_counts()
            return (
                site.value("SELECT COUNT(DISTINCT name) FROM core_jobrun") >= every_job
                and tasks.get("READY", 0) + tasks.get("RUNNING", 0) == 0
                and mail.get("pending", 0) + mail.get("sending", 0) == 0
            )

        runs_per_round = []
        for _ in range(3):
            wait_until(idle, timeout=120, what="both workers to be idle", every=0.3)
            # each job once per period, whoever claimed it (a ten-minute job may start a new
            # period during a slow round: that is a second period, not a duplicate)
            per_period = "SELECT name, period, COUNT(*) FROM core_jobrun GROUP BY 1, 2"
            assert all(n == 1 for _, _, n in site.query(per_period))
            runs_per_round.append(site.value("SELECT COUNT(DISTINCT name) FROM core_jobrun"))
            site.query("DELETE FROM core_jobrun")  # a new period for every job, at once
        wait_until(idle, timeout=120, what="the last round", every=0.3)

        assert site.task_counts().get("FAILED", 0) == 0
        assert runs_per_round == [every_job] * 3  # every job ran in every round
        per_job = site.query(
            f"SELECT task_path, COUNT(*) FROM {TASKS} WHERE task_path LIKE %s GROUP BY 1",
            "%.weekly_snapshots_task",
        )
        assert per_job[0][1] == 4  # four rounds, one workspace, one run each
        assert set(smtp.message_ids().values()) == {1}  # no mail twice
        digests = [m for m in smtp.messages if "trust alert" in m["Subject"]]
        assert len(digests) == 1  # once a day, however many rounds
        drafts = site.query(
            "SELECT engagement_id, COUNT(*) FROM reports_statusreport "
            "GROUP BY 1 HAVING COUNT(*) > 1"
        )
        assert drafts == []
        assert site.value("SELECT COUNT(*) FROM reports_statusreport") == 6
        alerts = site.query(
            "SELECT client_id, cause, COUNT(*) FROM trust_alert WHERE status <> 'resolved' "
            "GROUP BY 1, 2 HAVING COUNT(*) > 1"
        )
        assert alerts == []
        assert (
            site.value("SELECT COUNT(*) FROM trust_alert WHERE cause = 'recovery_action_overdue'")
            == 1
        )
        currents = site.query(
            "SELECT client_id, COUNT(*) FROM trust_trustsnapshot WHERE kind = 'current' "
            "GROUP BY 1 HAVING COUNT(*) > 1"
        )
        assert currents == []
        invitations = site.value("SELECT COUNT(*) FROM feedback_surveyinvitation")
        assert invitations == 6  # the survey ran once: later rounds found nobody due
        assert os.path.exists(site.tmp / "worker-a.log")
    finally:
        smtp.stop()


def test_serve_restarts_a_worker_that_died(site: Installation):
    site.call("tests.faults.scenarios:firm", 1)
    serving(site, free_port())

    def worker_pids() -> list[int]:
        fresh = "SELECT pid FROM core_workerheartbeat ORDER BY started_at"
        return [pid for (pid,) in site.query(fresh)]

    (first,) = wait_until(worker_pids, timeout=60, what="the worker's first heartbeat")
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: len(worker_pids()) == 2, timeout=60, what="a new worker")
    assert worker_pids()[-1] != first
    assert "The worker stopped (exit -9); restarting it." in site.log("serve.log")
