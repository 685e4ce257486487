"""Error shapes shared by every route, so clients handle one format.

Ninja's own validation errors are ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`` with
status 422; domain refusals use the same shape with status 400.
"""

from __future__ import annotations

from ninja import Schema


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: list[ErrorItem] | str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
