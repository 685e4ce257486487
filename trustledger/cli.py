"""The ``trustledger`` command: run the demo, serve, migrate, create users.

Data lives under ``var/`` (or ``$TRUSTLEDGER_DATA``); ``DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from typing import Any

import django

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustledger.settings")
    django.setup()


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def portal_demo_contact(workspace: Any) -> Any:
    """A contact of a demo client whose portal is open, to try the portal as a client."""
    from trustledger.clients.models import Contact

    return (
        Contact.objects.filter(workspace=workspace, client__portal__enabled=True)
        .select_related("client")
        .order_by("client__name", "-is_primary", "pk")
        .first()
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from trustledger.demo import demo_workspace, generate_demo_firm
    from trustledger.demo.people import DEMO_EMAIL, DEMO_PASSWORD

    args.verbosity = 0
    cmd_migrate(args)
    workspace = demo_workspace()
    if workspace is None:
        print("Creating the demo firm (a few seconds)…", flush=True)
        workspace = generate_demo_firm(seed=args.seed)
        print(f"Created the demo workspace “{workspace.name}”.")
    else:
        print(f"Reusing the demo workspace “{workspace.name}” in {settings.DATA_DIR}.")
    url = f"http://{args.host}:{args.port}/"
    print(f"\n  Open   {url}\n  E-mail {DEMO_EMAIL}\n  Password {DEMO_PASSWORD}\n", flush=True)
    contact = portal_demo_contact(workspace)
    if contact is not None:
        print(
            f"  Client portal: {url}portal/ as {contact.email} ({contact.client.name});\n"
            f"  the sign-in link is written to {settings.DATA_DIR / 'mail'}\n",
            flush=True,
        )
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve with gunicorn (static files through WhiteNoise) and a supervised worker beside it."""
    import signal
    import subprocess

    from trustledger.core.supervise import Supervisor

    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "trustledger.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
    ]
    worker = None
    if not getattr(args, "no_worker", False):
        worker = Supervisor([sys.executable, "-m", "trustledger.cli", "worker"], name="worker")
        worker.start()
    print(f"Serving on http://{args.host}:{args.port}/ (Ctrl+C stops)", flush=True)
    web = subprocess.Popen(gunicorn)
    signal.signal(signal.SIGTERM, lambda *_: web.terminate())
    try:
        return web.wait()
    except KeyboardInterrupt:
        web.terminate()
        return web.wait()
    finally:
        if worker is not None:
            worker.stop()


def cmd_worker(args: argparse.Namespace) -> int:
    from trustledger.core.worker import Worker

    worker = Worker(interval=args.interval, until_idle=args.until_idle)
    if not args.until_idle:
        worker.handle_signals()
    with contextlib.suppress(KeyboardInterrupt):
        worker.run()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    import json

    from trustledger.core.health import health, render_text

    report = health()
    print(json.dumps(report.as_dict(), indent=2) if args.json else render_text(report))
    return 0 if report.ok else 1


def cmd_createuser(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from trustledger.workspaces.models import Role, User
    from trustledger.workspaces.selectors import resolve_workspace
    from trustledger.workspaces.services import add_member, create_workspace

    try:
        validate_email(args.email)
    except ValidationError:
        print(f"error: {args.email!r} is not a valid e-mail address", file=sys.stderr)
        return 2
    password = args.password or _ask_password()
    user = User.objects.filter(email=args.email.lower()).first()
    if user is None:
        user = User.objects.create_user(args.email, password, full_name=args.name)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    if args.new_workspace:
        workspace = create_workspace(args.new_workspace, owner=user)
    else:
        workspace = resolve_workspace(args.workspace)
        add_member(workspace, email=user.email, role=Role(args.role), by=None)
    print(f"{user.email} can sign in to “{workspace.name}” (slug {workspace.slug}).")
    if not args.password and not sys.stdin.isatty():
        print(f"Password: {password}")
    return 0


def _ask_password() -> str:
    if not sys.stdin.isatty():
        return secrets.token_urlsafe(12)
    while True:
        first = getpass.getpass("Password: ")
        if len(first) >= 8 and first == getpass.getpass("Again: "):
            return first
        print("Passwords must match and have at least 8 characters.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustledger",
        description="Trustledger: measure, track and rebuild your clients' trust. Data lives in "
        "var/ (or $TRUSTLEDGER_DATA); set DATABASE_URL to use PostgreSQL.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def serving(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (127.0.0.1)")
        p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (8000)")
        p.add_argument("--workers", type=int, default=2, help="web worker processes (2)")

    demo = sub.add_parser(
        "demo",
        help="load the demo firm (once) and serve it",
        description="Migrate, create the demo firm if it does not exist yet, print the login, "
        "and serve. Running it again reuses the existing demo.",
    )
    demo.add_argument("--no-serve", action="store_true", help="load the demo firm and exit")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the demo firm (7)")
    demo.add_argument("--no-worker", action="store_true", help="do not start the worker")
    serving(demo)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser(
        "serve",
        help="serve the web application and API",
        description="Serve the application with gunicorn, and run the background worker.",
    )
    serving(serve)
    serve.add_argument("--no-worker", action="store_true", help="do not start the worker")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker",
        help="run background tasks and periodic jobs (weekly snapshots, e-mails)",
        description="Run queued background tasks, the periodic jobs and the mail outbox until "
        "stopped; database and mail outages are waited out. `trustledger serve` starts and "
        "supervises one for you.",
    )
    worker.add_argument(
        "--interval", type=float, default=2.0, help="seconds between idle rounds (2)"
    )
    worker.add_argument(
        "--until-idle",
        action="store_true",
        help="run queued tasks, due periodic jobs and due mail, then exit (for cron and tests)",
    )
    worker.set_defaults(func=cmd_worker)

    status = sub.add_parser(
        "status",
        help="is everything running? database, worker, queue, failed tasks, undelivered mail",
        description="Print the health of this installation (the same as /healthz and the status "
        "page); exits 1 when something needs attention.",
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)

    migrate = sub.add_parser(
        "migrate",
        help="create or update the database tables",
        description="Apply database migrations (safe to run repeatedly).",
    )
    migrate.add_argument("-v", "--verbosity", type=int, default=1)
    migrate.set_defaults(func=cmd_migrate)

    user = sub.add_parser(
        "createuser",
        help="create a login and give it a role in a workspace",
        description="Create (or reset the password of) a person and make them a member of a "
        "workspace. Without --password you are asked for one (or one is generated and printed "
        "when there is no terminal).",
    )
    user.add_argument("email")
    user.add_argument("--name", default="", help="full name")
    user.add_argument("--password", help="password (asked for when left out)")
    user.add_argument(
        "--role", default="owner", choices=["owner", "leader", "account_manager", "staff"]
    )
    where = user.add_mutually_exclusive_group()
    where.add_argument("--workspace", help="workspace slug (may be left out when there is one)")
    where.add_argument("--new-workspace", metavar="NAME", help="create a workspace owned by them")
    user.set_defaults(func=cmd_createuser)

    from trustledger.trust.cli import add_commands as add_trust_commands

    add_trust_commands(sub)

    from trustledger.imports.cli import add_commands as add_import_commands

    add_import_commands(sub)

    from trustledger.feedback.cli import add_commands as add_feedback_commands

    add_feedback_commands(sub)

    from trustledger.core.cli import add_commands as add_core_commands

    add_core_commands(sub)

    from trustledger.workspaces.cli import add_commands as add_workspace_commands

    add_workspace_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup()
    from django.core.management.base import CommandError

    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
