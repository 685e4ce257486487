"""Shapes of the portal settings in the REST API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictBool


class ContactAccessOut(Schema):
    contact_id: int
    name: str
    may_sign_in: bool
    last_signed_in_at: dt.datetime | None


class ClientPortalOut(Schema):
    client_id: int
    enabled: bool
    shared_engagements: int
    contacts: list[ContactAccessOut]


class ContactAccessIn(Schema):
    contact_id: int
    may_sign_in: StrictBool


class ClientPortalPatch(Schema):
    enabled: StrictBool | None = None
    contacts: list[ContactAccessIn] | None = Field(None, max_length=500)


class SharingOut(Schema):
    engagement_id: int
    portal_shared: bool
    portal_shows_budget: bool


class SharingPatch(Schema):
    portal_shared: StrictBool | None = None
    portal_shows_budget: StrictBool | None = None
