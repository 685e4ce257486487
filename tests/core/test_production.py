"""Production mode from the environment: Django's deployment checklist passes with no warning,
missing settings stop the start with a clear message, links and client addresses are right
behind a reverse proxy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from trustledger.core.http import absolute_url, client_ip

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 20 + "-a-long-random-production-signing-key-0123456789"


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRUSTLEDGER_")
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment |= {"TRUSTLEDGER_DATA": str(tmp_path), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


PRODUCTION = {
    "TRUSTLEDGER_PRODUCTION": "1",
    "TRUSTLEDGER_SECRET_KEY": KEY,
    "TRUSTLEDGER_BASE_URL": "https://trust.firm.example",
    "TRUSTLEDGER_ALLOWED_HOSTS": "trust.firm.example",
}


def test_the_deployment_checklist_passes_in_production_mode_with_no_warning(tmp_path):
    done = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_without_production_mode_the_checklist_warns_as_it_should(tmp_path):
    """The same check fails where the settings are a developer's: the test above can fail."""
    done = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for warning in ("W004", "W008", "W012", "W016"):
        assert warning in done.stderr + done.stdout


@pytest.mark.parametrize("missing", ["TRUSTLEDGER_SECRET_KEY", "TRUSTLEDGER_BASE_URL"])
def test_production_mode_refuses_to_start_without_what_every_node_must_share(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    done = _manage(tmp_path, "check", **env)
    assert done.returncode != 0
    assert f"Production mode (TRUSTLEDGER_PRODUCTION=1) needs {missing}" in done.stderr
    assert not (tmp_path / "secret_key").exists()  # no key made up on one node


def test_links_use_the_public_address(settings):
    settings.BASE_URL = "https://trust.firm.example"
    assert absolute_url("/portal/link/abc/") == "https://trust.firm.example/portal/link/abc/"


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    factory = RequestFactory()
    behind = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.9")
    assert client_ip(behind) == "203.0.113.7"
    # a client talking to the app directly cannot choose its address with a header
    direct = factory.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(direct) == "198.51.100.1"
    # a spoofed first hop before the proxy's own is not believed: the proxy appends the real one
    spoofed = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert client_ip(spoofed) == "203.0.113.7"
    settings.TRUSTED_PROXIES = []
    assert client_ip(behind) == "10.0.0.5"
