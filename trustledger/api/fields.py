"""Text fields every API schema shares: trimmed, bounded, and storable in PostgreSQL."""

from pydantic import AfterValidator, StringConstraints


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
