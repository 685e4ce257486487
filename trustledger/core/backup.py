"""Back up and restore the database while the site is serving.

SQLite: the online backup API copies a consistent snapshot page by page (writers wait only for
each step), into a temporary file renamed into place when complete. PostgreSQL: ``pg_dump`` in
its custom format (one consistent snapshot, taken without stopping anyone); a restore empties
the tables and loads the backup's rows in one transaction, so a failed restore leaves the data
as it was and requests during it wait, then read the restored rows.

Uploaded files (``TRUSTLEDGER_DATA/uploads``) are not in the database: copy that folder too.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
PSQL = ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"]
TIMEOUT = 6 * 3600  # seconds: a very large firm's dump still finishes; a hung one does not hang


class BackupError(Exception):
    """A backup or restore that cannot be done, in words for the person running it."""


def _database() -> tuple[str, dict[str, Any]]:
    connection = connections["default"]
    return connection.vendor, connection.settings_dict


def _pg(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools (the password through the environment)."""
    options = ["--dbname", settings["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            options += [flag, str(settings[key])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")


def backup(target: Path) -> str:
    """Write a backup of the database to ``target``; returns what kind of backup it is."""
    vendor, settings = _database()
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        if vendor == "sqlite":
            source = sqlite3.connect(settings["NAME"])
            copy = sqlite3.connect(partial)
            try:
                with copy:
                    source.backup(copy, pages=1024)
            finally:
                copy.close()
                source.close()
            kind = "SQLite database"
        elif vendor == "postgresql":
            options, env = _pg(settings)
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", partial, *options], env)
            kind = "PostgreSQL dump (custom format)"
        else:
            raise BackupError(f"backing up a {vendor} database is not supported")
        os.replace(partial, target)  # a backup file is whole, or absent
    finally:
        Path(partial).unlink(missing_ok=True)
    return kind


def _kind_of(source: Path) -> str:
    try:
        with source.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {source}: {error.strerror}") from error
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{source} is not a Trustledger backup (neither SQLite nor a pg_dump file)")


def restore(source: Path) -> None:
    """Replace the database's contents with the backup in ``source``."""
    vendor, settings = _database()
    kind = _kind_of(source)
    if kind != vendor:
        raise BackupError(f"{source} is a {kind} backup; this installation runs on {vendor}")
    connections.close_all()
    if vendor == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(settings["NAME"], timeout=60)
        try:
            check = backup_db.execute("PRAGMA quick_check").fetchone()
            if check != ("ok",):
                raise BackupError(f"{source} is damaged: {check[0]}")
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        return
    _restore_postgresql(source, settings)


def _restore_postgresql(source: Path, settings: dict[str, Any]) -> None:
    """Empty every table and load the backup's rows, in one transaction.

    Tables are emptied, not dropped: a request waiting on a table during the restore then reads
    the restored rows instead of failing on a table that no longer exists, so the site keeps
    answering. Django's foreign keys are deferred, so the rows load in any order; the schema must
    be this version's (migrate an older backup's database first, or restore it with the site
    stopped using pg_restore --clean).
    """
    tables = connections["default"].introspection.table_names()
    connections.close_all()
    options, env = _pg(settings)
    empty = "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE;\n"
    try:
        rows = subprocess.Popen(
            ["pg_restore", "--data-only", "--no-owner", "--file", "-", str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        load = subprocess.Popen(
            [*PSQL, *options],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as error:
        raise BackupError("pg_restore and psql are needed (PostgreSQL's client tools)") from error
    assert rows.stdout is not None and load.stdin is not None
    try:
        load.stdin.write(empty.encode())
        shutil.copyfileobj(rows.stdout, load.stdin)
        load.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped at an error: its message says which
    assert load.stderr is not None and rows.stderr is not None
    load_errors, read_errors = load.stderr.read(), rows.stderr.read()
    load.wait(timeout=TIMEOUT)
    rows.wait(timeout=TIMEOUT)
    if rows.returncode != 0:
        raise BackupError(f"pg_restore failed: {read_errors.decode().strip()}")
    if load.returncode != 0:
        raise BackupError(f"the restore was rolled back: {load_errors.decode().strip()}")
