"""A real installation for fault tests: its own database, real worker and web processes.

Each test gets a fresh data directory and database (a SQLite file; or, when the suite runs on
PostgreSQL, a fresh database on that server), migrated by ``trustledger migrate``. Processes are
started exactly as an operator would start them (``trustledger worker``, ``trustledger serve``),
on 127.0.0.1, and stopped when the test ends. The test reads the database directly (sqlite3 or
psycopg), so polling costs no Django start-up.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TASKS = "django_tasks_database_dbtaskresult"  # django_tasks_db's table


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class Installation:
    def __init__(self, tmp: Path, database_url: str | None) -> None:
        self.tmp = tmp
        self.database_url = database_url
        self.sqlite_path = tmp / "trustledger.sqlite3"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "trustledger.settings",
            "TRUSTLEDGER_DATA": str(tmp),
            "TRUSTLEDGER_WORKER_LEASE": "3",
            "TRUSTLEDGER_RETRY_BACKOFF": "0.5,1,1,2",
            "EMAIL_TIMEOUT": "2",
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # let each start-up reuse the last's work
        if database_url:
            self.env["DATABASE_URL"] = database_url

    # --- running code of the installation ---------------------------------------------------

    def call(self, function: str, *args: Any, timeout: float = 120) -> Any:
        """Run ``module:function(*args)`` in a fresh process of the installation; its result."""
        module, name = function.split(":")
        code = (
            "import django, json, sys; django.setup()\n"
            f"from {module} import {name}\n"
            f"result = {name}(*json.loads(sys.argv[1]))\n"
            "print('RESULT ' + json.dumps(result, default=str))\n"
        )
        done = subprocess.run(
            [PYTHON, "-c", code, json.dumps(args)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"{function} failed:\n{done.stdout}\n{done.stderr}")
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
        return json.loads(line.removeprefix("RESULT "))

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "trustledger.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        """Start ``trustledger ARGS`` in the background, its output in ``tmp/log``."""
        out = (self.tmp / log).open("ab")
        process = subprocess.Popen(
            [PYTHON, "-m", "trustledger.cli", *args],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its children
        )
        self.processes.append(process)
        return process

    def start_worker(self, name: str = "worker") -> subprocess.Popen[bytes]:
        return self.start("worker", "--interval", "0.2", log=f"{name}.log")

    def log(self, name: str) -> str:
        path = self.tmp / name
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=15)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    self.kill(process)

    # --- reading its database ---------------------------------------------------------------

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (``%s`` placeholders) read straight from the database."""
        if self.database_url:
            with psycopg.connect(_libpq(self.database_url), autocommit=True) as conn:
                return conn.execute(sql.encode(), params).fetchall()  # type: ignore[arg-type]
        with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()

    def value(self, sql: str, *params: Any) -> Any:
        return self.query(sql, *params)[0][0]

    def task_counts(self) -> dict[str, int]:
        return dict(self.query(f"SELECT status, COUNT(*) FROM {TASKS} GROUP BY 1"))

    def outbox_counts(self) -> dict[str, int]:
        return dict(self.query("SELECT status, COUNT(*) FROM core_outboxmessage GROUP BY 1"))


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


class Template:
    """One migrated database per test session, copied for each test (migrating takes seconds).

    SQLite: a migrated file; PostgreSQL: a migrated database used as CREATE DATABASE's template.
    """

    def __init__(self, tmp: Path) -> None:
        self.server = os.environ.get("DATABASE_URL")
        self.name = f"faults_template_{uuid.uuid4().hex[:8]}"
        self.sqlite = tmp / "template.sqlite3"
        url = self._url(self.name) if self.server else None
        if self.server:
            self._admin(f'CREATE DATABASE "{self.name}"')
        migrated = Installation(tmp, url).cli("migrate", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr
        if not self.server:
            (tmp / "trustledger.sqlite3").rename(self.sqlite)

    def _url(self, name: str) -> str:
        assert self.server
        return urlunsplit(urlsplit(_libpq(self.server))._replace(path=f"/{name}"))

    def _admin(self, sql: str) -> None:
        assert self.server
        admin = urlunsplit(urlsplit(_libpq(self.server))._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.encode())

    @contextmanager
    def copy(self, tmp: Path) -> Iterator[Installation]:
        """A fresh, migrated installation in ``tmp``; stopped (and its database dropped) after."""
        if not self.server:
            shutil.copyfile(self.sqlite, tmp / "trustledger.sqlite3")
            site = Installation(tmp, None)
        else:
            name = f"faults_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
            site = Installation(tmp, self._url(name))
        try:
            yield site
        finally:
            site.stop_all()
            if self.server:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        if self.server:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextmanager
def installation(tmp: Path, database_url: str) -> Iterator[Installation]:
    """A migrated installation on a database of its own (a separate PostgreSQL server)."""
    site = Installation(tmp, database_url)
    migrated = site.cli("migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    try:
        yield site
    finally:
        site.stop_all()
