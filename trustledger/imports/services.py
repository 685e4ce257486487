"""Running an import: one transaction per file, rolled back on any error, audited once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustledger.imports.bulk import bulk_loading
from trustledger.imports.errors import ImportFailed, ImportRowError
from trustledger.imports.registry import get_importer
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.workspaces.services import record_audit

if TYPE_CHECKING:
    from trustledger.workspaces.models import User, Workspace


def run_import(
    workspace: Workspace, kind: str, path: Path, options: ImportOptions | None = None
) -> ImportResult:
    """Import ``path`` as ``kind`` into ``workspace``, all of it or (``ImportFailed``) none of it.

    A dry run does the whole import, counts included, then rolls it back: the counts are exactly
    what a real run would do.
    """
    options = options or ImportOptions()
    spec = get_importer(kind)
    name = options.name or path.name
    if options.mapping and not spec.takes_mapping:
        raise ImportFailed(
            [
                ImportRowError(
                    name, None, None, f"a {kind} file has fixed columns: drop the mapping."
                )
            ]
        )
    try:
        with bulk_loading(), transaction.atomic():  # the cache is set outside the transaction
            result = spec.run(workspace, path, options)
            result.dry_run = options.dry_run
            if options.dry_run:
                transaction.set_rollback(True)
            else:
                record_audit(
                    workspace,
                    options.by,
                    "import.completed",
                    changes=result.as_audit(),
                    actor_label=options.actor_label,
                )
    except IntegrityError as error:  # e.g. the same file imported twice at the same moment
        message = f"conflicts with data saved meanwhile ({error}); nothing was imported, try again."
        raise ImportFailed([ImportRowError(name, None, None, message)]) from error
    return result


def save_upload(workspace: Workspace, upload: UploadedFile[bytes]) -> Path:
    """Keep the uploaded file under MEDIA_ROOT/imports/ (what was imported stays inspectable).

    The file is copied in chunks, never read whole into memory.
    """
    storage = FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "imports")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    safe_name = storage.get_valid_name(upload.name or "upload.csv")
    name = storage.save(f"{workspace.slug}/{stamp}-{safe_name}", upload)
    return Path(storage.path(name))


def import_upload(
    workspace: Workspace,
    kind: str,
    upload: UploadedFile[bytes],
    *,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    by: User | None = None,
    may_override: bool = False,
) -> ImportResult:
    """Keep an uploaded file and import it (the upload page and the API): all or, raising
    ``ImportFailed`` with the rows at fault, nothing."""
    options = ImportOptions(
        name=upload.name or "upload.csv",
        mapping=mapping or {},
        dry_run=dry_run,
        by=by,
        may_override=may_override,
    )
    return run_import(workspace, kind, save_upload(workspace, upload), options)
