"""`trustledger apikey create`: a workspace API key for scripts and tests, printed once.

Imports of Django code happen inside the command: the parser is built before Django is set up.
"""

from __future__ import annotations

import argparse
from typing import Any

SCOPES = {"read": "read", "read-write": "read_write"}


def add_commands(sub: Any) -> None:
    apikey = sub.add_parser("apikey", help="manage workspace API keys")
    actions = apikey.add_subparsers(dest="apikey_command", required=True)
    create = actions.add_parser(
        "create",
        help="create an API key and print it (once: only its hash is kept)",
        description="Create a workspace API key, as an owner does under Settings → API keys, "
        "and print the key on standard output. It is never shown again.",
    )
    create.add_argument("--scope", required=True, choices=sorted(SCOPES), help="what it may do")
    create.add_argument("--name", default="Command line", help="what uses the key")
    create.add_argument("--workspace", help="workspace slug (may be left out when there is one)")
    create.set_defaults(func=cmd_apikey_create)


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from trustledger.workspaces.models import ApiKeyScope
    from trustledger.workspaces.selectors import resolve_workspace
    from trustledger.workspaces.services import DomainError, create_api_key

    workspace = resolve_workspace(args.workspace)
    try:
        _, raw = create_api_key(
            workspace, name=args.name, scope=ApiKeyScope(SCOPES[args.scope]), by=None
        )
    except DomainError as error:
        from django.core.management.base import CommandError

        raise CommandError(error.message) from None
    print(raw)
    return 0
