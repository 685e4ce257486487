"""Guards for the rule "no network call inside a database write transaction"."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


class NetworkInTransaction(RuntimeError):
    """A network call was about to hold the database's write lock while it waits."""


def in_write_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True inside ``transaction.atomic`` (a test case's own wrapping block does not count)."""
    connection = connections[using]
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def assert_no_write_transaction(what: str, using: str = DEFAULT_DB_ALIAS) -> None:
    if in_write_transaction(using):
        raise NetworkInTransaction(
            f"{what} inside a database transaction: queue it (outbox or task) and let the worker "
            "do it after commit"
        )
