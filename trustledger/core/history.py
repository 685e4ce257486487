"""Bitemporal facts: an edit or a deletion keeps the version it replaces, so "as of T" is what
was known at T.

A facts app declares, once per model, which fields the trust index reads (``versioned``). A
service that edits such a fact calls ``record_edit(instance, changed)`` before saving it; one
that deletes it calls ``record_deletion(instance)`` before deleting it. When a read field
changed, the row as it stood is kept as a ``FactVersion`` (valid from its ``recorded_at`` until
now) and the live row's ``recorded_at`` moves to now: the live row is the version recorded now.

The index as of a day then reads, for each model, the live rows recorded before the end of that
day (as it always did) plus ``as_of(...)``: the versions recorded before it and superseded at or
after it (one query for all of an app's versioned models). For any day exactly one version of a
fact counts (or none, before it was first recorded or after its deletion), so an edit recorded
after T never changes the index as of T.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, Model
from django.utils import timezone

from trustledger.core.models import FactVersion

if TYPE_CHECKING:
    from trustledger.workspaces.models import Workspace


@dataclass(frozen=True)
class Versioned:
    """What makes a new version of ``model``: a change of one of ``reads``."""

    model: type[Model]
    reads: frozenset[str]
    client: str  # the lookup from the model to its client's id: "engagement__client_id"
    recorded: str = "recorded_at"


_versioned: dict[type[Model], Versioned] = {}


def versioned(
    model: type[Model], *, reads: Iterable[str], client: str, recorded: str = "recorded_at"
) -> None:
    """Declare that edits of ``reads`` on ``model`` (a fact the index reads) make versions."""
    _versioned[model] = Versioned(model, frozenset(reads), client, recorded)


def spec(model: type[Model]) -> Versioned:
    return _versioned[model]


def label(model: type[Model]) -> str:
    return model._meta.label_lower


def record_edit(
    instance: Model, changed: Iterable[str], *, at: dt.datetime | None = None
) -> FactVersion | None:
    """Keep the stored version of ``instance`` when ``changed`` touches a field the index reads,
    and date the edited instance (not saved yet) as recorded ``at`` (now). Call it before saving;
    a caller saving ``update_fields`` adds the recorded field (``spec(model).recorded``)."""
    versioning = spec(type(instance))
    read = sorted(versioning.reads.intersection(changed))
    if not read:
        return None
    at = at or timezone.now()
    version = _keep(instance, versioning, at, read)
    setattr(instance, versioning.recorded, at)
    return version


def record_deletion(instance: Model, *, at: dt.datetime | None = None) -> FactVersion:
    """Keep ``instance`` as it stood until ``at`` (now), before the caller deletes it."""
    return _keep(instance, spec(type(instance)), at or timezone.now(), None)


def _keep(
    instance: Model, versioning: Versioned, at: dt.datetime, read: Sequence[str] | None
) -> FactVersion:
    model = type(instance)
    columns = [f.attname for f in model._meta.concrete_fields]
    stored = (
        model._base_manager.filter(pk=instance.pk)
        .values(*columns, version_client_id=F(versioning.client))
        .get()
    )
    client_id = stored.pop("version_client_id")
    changes = {name: [stored[_attname(model, name)], _new(instance, name)] for name in read or ()}
    return FactVersion.objects.create(
        workspace_id=stored["workspace_id"],
        model=label(model),
        object_id=instance.pk,
        client_id=client_id,
        values=stored,
        changes=changes,
        deleted=read is None,
        recorded_at=stored[versioning.recorded],
        superseded_at=at,
    )


def _attname(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def _new(instance: Model, name: str) -> Any:
    return getattr(instance, _attname(type(instance), name))


def as_of(
    models: Sequence[type[Model]],
    workspace: Workspace,
    known_before: dt.datetime,
    client_ids: Sequence[int] | None = None,
) -> dict[type[Model], list[dict[str, Any]]]:
    """Per model, the versions of its facts that were current just before ``known_before``:
    recorded before it, superseded at or after it. Each is the row's columns by attribute name,
    as Python values, with ``client_id`` (the fact's client). One query for all the models."""
    by_label = {label(model): model for model in models}
    rows = FactVersion.objects.filter(
        workspace=workspace,
        model__in=list(by_label),
        recorded_at__lt=known_before,
        superseded_at__gte=known_before,
    )
    if client_ids is not None:
        rows = rows.filter(client_id__in=client_ids)
    out: dict[type[Model], list[dict[str, Any]]] = {model: [] for model in models}
    for name, values, client_id in rows.values_list("model", "values", "client_id"):
        model = by_label[name]
        fields = {f.attname: f for f in model._meta.concrete_fields}
        row = {column: fields[column].to_python(value) for column, value in values.items()}
        out[model].append(row | {"client_id": client_id})
    return out


def corrections(
    workspace: Workspace, client_id: int, models: Iterable[type[Model]]
) -> list[FactVersion]:
    """The edits and deletions of these models' facts of a client, oldest first (one query)."""
    return list(
        FactVersion.objects.filter(
            workspace=workspace, client_id=client_id, model__in=[label(m) for m in models]
        )
    )
