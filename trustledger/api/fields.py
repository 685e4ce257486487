"""Text fields every API schema shares: trimmed, bounded, and storable in PostgreSQL."""

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema


def storable(value: str) -> str:
    """PostgreSQL stores neither NUL nor lone surrogates: refuse them at the door (a 422)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Storable = AfterValidator(storable)


def text(min_length: int, max_length: int) -> StringConstraints:
    """Whitespace-trimmed text between the given lengths."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable() -> Any:
    """The default of a PATCH field that may be left out but never sent as ``null``.

    ``name: Name = omittable()``: left out, the field is not in ``changes(payload)``; sent as
    ``null``, it fails validation (a 422 naming it) instead of reaching a NOT NULL column (500).
    The document shows the field as optional and not nullable.
    """
    return Field(None, json_schema_extra=_without_default)


def changes(payload: BaseModel) -> dict[str, Any]:
    """The fields a PATCH body sent, each in full.

    ``model_dump(exclude_unset=True)`` also drops unset fields *inside* nested objects, so a goal
    sent as ``{"text": "x"}`` lost its default status (a KeyError, 500): only the top level
    is filtered here.
    """
    sent = payload.model_fields_set
    return {name: value for name, value in payload.model_dump().items() if name in sent}


# A wall-clock time ("09:00" or "09:00:00"). JSON Schema's "time" format demands a UTC offset,
# which a local opening hour does not have, so the document gives the pattern instead.
LocalTime = Annotated[
    dt.time,
    WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}),
]
