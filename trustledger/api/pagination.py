"""The one pagination every list route uses: ``limit`` and ``offset``, both bounded."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000_000  # far past any list; keeps offset + limit inside a database integer


class Pagination(LimitOffsetPagination):
    """``?limit=1..NINJA_PAGINATION_MAX_LIMIT&offset=0..MAX_OFFSET``; out of range is a 422."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
