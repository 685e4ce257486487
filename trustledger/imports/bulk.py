"""Writing many rows fast, on SQLite and PostgreSQL alike.

``bulk_create`` compiles one statement with a parameter per value of every row, which costs
about 100 µs a row in Python (6,000 to 11,000 rows a second measured on SQLite): a million time
entries would take minutes. ``insert_rows`` sends one prepared INSERT through the driver's
``executemany`` instead (about 10 µs a row). The price: no ``save()``, no signals, no per-value
field preparation. Callers therefore pass values the drivers store as Django would: ints, str,
``None``, ``Decimal`` and ``date`` (Django registers SQLite adapters for the last two; psycopg
adapts them natively), and datetimes already prepared with ``prepare_value``.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` instead: one round trip per batch and
no statement per row, which is what the server needs to keep up (1,000,000 time entries: 104 s
with executemany, figures for COPY in docs/benchmarks.md).

``bulk_loading`` gives SQLite a page cache large enough for the indexes a big import writes:
with the default 2 MB, each row's insert into a unique index of random keys (import keys are
hashes) reads and spills pages (300,000 time entries: 26 s instead of 18 s). Figures in
docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

from trustledger.core.facts import announce

SQLITE_IMPORT_CACHE_MB = 64


def prepare_value(model: type[models.Model], attname: str, value: dt.datetime) -> Any:
    """A datetime as Django would send it to this database (time zone handling included)."""
    return _field(model, attname).get_db_prep_save(value, connection)


@contextmanager
def bulk_loading(cache_mb: int = SQLITE_IMPORT_CACHE_MB) -> Iterator[None]:
    """While importing, let SQLite cache up to ``cache_mb`` of pages (restored afterwards).

    This bounds the import's memory as much as it speeds it: the cache never grows past it.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def insert_rows(
    model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (values in the order of ``attnames``) into ``model``'s table, and announce
    the facts to the fact seam (once per transaction, whatever the number of batches)."""
    if not rows:
        return
    _announce(model, attnames, rows)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in attnames)
    placeholders = ", ".join(["%s"] * len(attnames))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            table = quote(model._meta.db_table)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(sql, rows)


def _announce(
    model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Name the workspace and the clients (or engagements) the rows belong to."""

    def distinct(name: str) -> set[Any]:
        if name not in attnames:
            return set()
        i = attnames.index(name)
        return {row[i] for row in rows}

    engagement_ids = distinct("engagement_id")
    client_ids = distinct("client_id")
    if engagement_ids and not client_ids:
        from trustledger.engagements.models import Engagement

        client_ids = set(
            Engagement.objects.filter(pk__in=engagement_ids).values_list("client_id", flat=True)
        )
    for workspace_id in distinct("workspace_id"):
        announce(
            workspace_id, client_ids, model._meta.model_name or "", engagement_ids=engagement_ids
        )


def _column(model: type[models.Model], attname: str) -> str:
    column = _field(model, attname).column
    if column is None:  # pragma: no cover - concrete fields always have one
        raise LookupError(f"{model.__name__}.{attname} has no column")
    return column


def _field(model: type[models.Model], attname: str) -> models.Field[Any, Any]:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    raise LookupError(f"{model.__name__} has no column {attname}")
