"""A real installation for fault tests: its own database, real worker and web processes.

Each test gets a fresh data directory and database (a SQLite file; or, when the suite runs on
PostgreSQL, a fresh database on that server), migrated by ``trustledger migrate``. Processes are
started exactly as an operator would start them (``trustledger worker``, ``trustledger serve``),
on 127.0.0.1, and stopped when the test ends. The test reads the database directly (sqlite3 or
psycopg), so polling costs no Django start-up.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
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

    def call(self, function: str, *args: Any, timeout: float = 300) -> Any:
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

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
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
                cursor = conn.execute(sql.encode(), params)  # type: ignore[arg-type]
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()

    def value(self, sql: str, *params: Any) -> Any:
        return self.query(sql, *params)[0][0]

    def task_counts(self) -> dict[str, int]:
        return dict(self.query(f"SELECT status, COUNT(*) FROM {TASKS} GROUP BY 1"))

    def outbox_counts(self) -> dict[str, int]:
        return dict(self.query("SELECT status, COUNT(*) FROM core_outboxmessage GROUP BY 1"))


class Browser:
    """A signed-in person over real HTTP: cookies, the CSRF token, form posts (urllib)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, float]:
        """(status, seconds) of one request; 3xx answers are not followed."""
        body = None
        headers = {"Referer": self.base + path}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            with self.opener.open(
                urllib.request.Request(self.base + path, body, headers, method=method), timeout=30
            ) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        return status, time.monotonic() - started

    def get(self, path: str) -> tuple[int, float]:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, float]:
        return self.request("POST", path, data)

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "") or ""

    def sign_in(self, email: str, password: str) -> None:
        self.get("/login/")
        status, _ = self.post("/login/", {"username": email, "password": password})
        assert status == 302, f"sign-in answered {status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def serving(site: Installation, port: int) -> subprocess.Popen[bytes]:
    """``trustledger serve`` (gunicorn and its supervised worker) on 127.0.0.1:port, answering."""
    process = site.start("serve", "--port", str(port), "--workers", "2", log="serve.log")

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return True
        except (OSError, urllib.error.HTTPError):
            return False

    wait_until(answers, timeout=90, what="the site to answer", every=0.5)
    return process


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


class Postgres:
    """A PostgreSQL server of the test's own on 127.0.0.1 (Debian's binaries), to stop and
    start under a running site. As root it runs as the postgres account, as PostgreSQL insists.
    """

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins:
            raise FileNotFoundError("PostgreSQL is not installed (make system-deps)")
        self.bin = bins[-1].parent
        # not under pytest's private tmp: the postgres account must reach it
        self.dir = Path(tempfile.mkdtemp(prefix="trustledger-faults-pg-"))
        self.port = free_port()
        self.url = f"postgres://trustledger@127.0.0.1:{self.port}/trustledger"
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "trustledger", "--auth=trust")
        self.start()
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "trustledger", "trustledger"
        )

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd="/", timeout=120)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
