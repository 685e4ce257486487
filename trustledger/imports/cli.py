"""``trustledger import KIND FILE``: import an export from the command line.

Kinds come from the registry, so importers added later appear here without a change. Exit 0
with the counts; exit 2 with the file's errors (file, line, field) on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def add_commands(sub: Any) -> None:
    """Add the ``import`` subcommand to the ``trustledger`` command's subparsers."""
    parser = sub.add_parser(
        "import",
        help="import time entries, clients and engagements from CSV exports",
        description="Import FILE as KIND into a workspace: all of it, or (on any bad row) none "
        "of it; importing the same file again adds nothing. Kinds: harvest, toggl, time-csv, "
        "engagements-csv, and those later importers register.",
    )
    parser.add_argument("kind", metavar="KIND", help="what the file is, e.g. harvest")
    parser.add_argument("file", metavar="FILE", type=Path, help="the exported file to import")
    parser.add_argument("--workspace", help="workspace slug (may be left out when there is one)")
    parser.add_argument(
        "--mapping",
        default="",
        metavar="SPEC",
        help="for time-csv and engagements-csv: our field=the file's column, comma-separated, "
        "e.g. date=Day,hours=Time,engagement=Project,date_format=%%d/%%m/%%Y",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and count, but save nothing"
    )
    parser.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from trustledger.imports.csvreader import parse_mapping
    from trustledger.imports.errors import ImportFailed
    from trustledger.imports.result import ImportOptions
    from trustledger.imports.services import run_import
    from trustledger.workspaces.selectors import resolve_workspace

    workspace = resolve_workspace(args.workspace)
    try:
        options = ImportOptions(
            mapping=parse_mapping(args.mapping),
            dry_run=args.dry_run,
            actor_label="command line",
            may_override=True,
        )
        started = time.perf_counter()
        result = run_import(workspace, args.kind, args.file, options)
    except (LookupError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ImportFailed as failure:
        print(f"error: {args.file.name} was not imported:", file=sys.stderr)
        for line in failure.lines():
            print(f"  {line}", file=sys.stderr)
        return 2
    print(f"{result.summary()} ({time.perf_counter() - started:.1f} s)")
    return 0
