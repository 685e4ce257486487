"""``trustledger backup FILE`` and ``trustledger restore FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_commands(sub: Any) -> None:
    backup = sub.add_parser(
        "backup",
        help="write a backup of the database to FILE (while the site serves)",
        description="SQLite: an online copy of the database file. PostgreSQL: pg_dump's custom "
        "format. Uploaded files live in TRUSTLEDGER_DATA/uploads: copy that folder as well.",
    )
    backup.add_argument("file", type=Path)
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore",
        help="replace the database's contents with a backup of this version (trustledger backup)",
        description="Everything recorded since the backup is lost. Stop the worker first; the "
        "site may keep serving. PostgreSQL restores in one transaction: a failure changes nothing.",
    )
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from trustledger.core.backup import BackupError, backup

    try:
        kind = backup(args.file)
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    size = args.file.stat().st_size
    print(f"Backed up to {args.file} ({kind}, {size:,} bytes).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from trustledger.core.backup import BackupError, restore

    if not args.yes:
        answer = input(f"Replace every record with the contents of {args.file}? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("Nothing changed.")
            return 1
    try:
        restore(args.file)
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Restored from {args.file}.")
    return 0
