"""Relationship management in the REST API."""

from ninja import Router

router = Router(tags=["relationships"])
