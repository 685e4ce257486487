"""Imports in the REST API: upload a file of a registered kind, as on the upload page.

``POST /imports`` (multipart: ``file``, ``kind``, optional ``mapping`` and ``dry_run``) runs the
same importer with the same checks as the page: all of the file or nothing. A rejected file is a
422 whose ``detail`` lists the rows at fault (``loc``: file, line, field); an accepted one
answers its counts. Importing needs MANAGE_CLIENTS, as the page does; only members who may
override rules (leaders, owners) may import engagements already under way without a sign-off.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.errors import ValidationError
from ninja.files import UploadedFile

from trustledger.api.auth import caller
from trustledger.api.errors import ok
from trustledger.core.extensions import api_routers
from trustledger.imports.csvreader import parse_mapping
from trustledger.imports.errors import ImportFailed
from trustledger.imports.registry import get_importer, importers
from trustledger.imports.services import import_upload
from trustledger.workspaces.permissions import Action, can

router = Router(tags=["imports"])
api_routers.register(router)


class ImportKindOut(Schema):
    kind: str
    label: str
    takes_mapping: bool
    help: str
    extensions: list[str]


class ImportReportOut(Schema):
    kind: str
    file: str
    dry_run: bool = Field(description="True: everything was checked and counted, nothing saved.")
    rows: int
    created: int
    skipped_duplicates: int
    skipped_empty: int
    details: dict[str, int]
    summary: str


@router.get("/imports/kinds", response=ok(list[ImportKindOut]))
def list_import_kinds(request: HttpRequest) -> Any:
    """The kinds of file the upload page and ``POST /imports`` accept."""
    return [
        ImportKindOut(
            kind=spec.kind,
            label=spec.label,
            takes_mapping=spec.takes_mapping,
            help=spec.help,
            extensions=list(spec.extensions),
        )
        for spec in importers()
    ]


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["form", field], "msg": message, "type": "value_error"}])


def _mapping(kind: str, spec: str) -> dict[str, str]:
    try:
        takes_mapping = get_importer(kind).takes_mapping
    except LookupError as error:
        raise _invalid("kind", str(error)) from None
    try:
        mapping = parse_mapping(spec)
    except ValueError as error:
        raise _invalid("mapping", str(error)) from None
    if mapping and not takes_mapping:
        raise _invalid("mapping", "this kind of file has fixed columns: leave the mapping out")
    return mapping


def _rejected(failure: ImportFailed) -> ValidationError:
    errors = [
        {
            "loc": ["file", *(p for p in (e.line, e.field) if p is not None)],
            "msg": e.message,
            "type": "import_error",
        }
        for e in failure.errors
    ]
    if failure.total > len(failure.errors):
        more = failure.total - len(failure.errors)
        errors.append(
            {"loc": ["file"], "msg": f"… and {more} more errors.", "type": "import_error"}
        )
    return ValidationError(errors)


@router.post("/imports", response=ok(ImportReportOut))
def create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    mapping: Form[str] = "",
    dry_run: Form[bool] = False,
) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    columns = _mapping(kind, mapping)
    try:
        result = import_upload(
            who.workspace,
            kind,
            file,
            mapping=columns,
            dry_run=dry_run,
            by=who.user,
            may_override=can(who.membership, Action.OVERRIDE),
        )
    except ImportFailed as failure:
        raise _rejected(failure) from None
    return {**result.__dict__, "summary": result.summary()}
