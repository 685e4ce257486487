"""The kinds of file Trustledger imports, each registered by the app that owns its facts.

Each app's ``importers`` module (or package) registers its kinds with ``register``; they are
discovered at start-up like every extension point (``core.extensions.importers``).

``trustledger import KIND FILE`` and the upload page both list and call what is registered
here, so a new importer (e-mail, calendar, help desk, survey tool) needs no change to either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trustledger.core.extensions import importers as registry
from trustledger.imports.result import ImportOptions, ImportResult

if TYPE_CHECKING:
    from trustledger.workspaces.models import Workspace

Importer = Callable[["Workspace", Path, ImportOptions], ImportResult]


@dataclass(frozen=True)
class ImporterSpec:
    kind: str
    label: str
    run: Importer
    takes_mapping: bool = False
    help: str = ""
    extensions: tuple[str, ...] = (".csv", ".txt", ".tsv")


def register(
    kind: str,
    *,
    label: str,
    takes_mapping: bool = False,
    help: str = "",
    extensions: tuple[str, ...] = (),
) -> Callable[[Importer], Importer]:
    """Decorator: make ``kind`` importable by ``run`` (called inside the import's transaction).

    ``run`` raises ``ImportFailed`` for a bad file; it writes nothing outside the transaction.
    """

    def decorator(run: Importer) -> Importer:
        known = _by_kind().get(kind)
        if known is not None and known.run is not run:
            raise ValueError(f"import kind {kind!r} is registered twice")
        if known is None:
            extra = {"extensions": extensions} if extensions else {}
            registry.register(ImporterSpec(kind, label, run, takes_mapping, help, **extra))
        return run

    return decorator


def _by_kind() -> dict[str, ImporterSpec]:
    return {spec.kind: spec for spec in registry}


def get_importer(kind: str) -> ImporterSpec:
    try:
        return _by_kind()[kind]
    except KeyError:
        known = ", ".join(sorted(_by_kind()))
        raise LookupError(f"unknown import kind {kind!r}; choose one of: {known}.") from None


def importers() -> list[ImporterSpec]:
    return sorted(registry, key=lambda spec: spec.kind)
