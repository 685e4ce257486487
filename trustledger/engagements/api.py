"""Engagements and their delivery facts in the REST API."""

from ninja import Router

router = Router(tags=["engagements"])
