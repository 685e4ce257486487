"""Who is who in imported mail, calendars and tickets: the workspace's clients, contacts and
people, loaded once per file so every message is matched in memory.

An address belongs to a client when it is one of the client's contacts, or when its domain is
the domain of that client's contacts (and of no other client's, and not a public mail service).
An address belongs to the firm when it is a member's, or in a member's (non-public) domain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from trustledger.clients.models import Client, Contact
from trustledger.communications import sla
from trustledger.communications.models import CommunicationPlan
from trustledger.scoring import businesstime as bt
from trustledger.workspaces.models import Membership, Workspace

# Domains shared by people of many organisations: never a client's or the firm's domain.
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.ru",
        "zoho.com",
        "fastmail.com",
    }
)
AMBIGUOUS = -1


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class Party:
    client_id: int
    contact_id: int | None


class Directory:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        contacts = Contact.objects.for_workspace(workspace).values_list("pk", "client_id", "email")
        self.contacts: dict[str, Party] = {}
        domains: dict[str, int] = {}
        for pk, client_id, email in contacts:
            address = email.lower()
            self.contacts[address] = Party(client_id, pk)
            domain = domain_of(address)
            if domain and domain not in PUBLIC_DOMAINS:
                found = domains.get(domain, client_id)
                domains[domain] = client_id if found == client_id else AMBIGUOUS
        members = Membership.objects.filter(workspace=workspace).values_list(
            "user_id", "user__email"
        )
        self.people = {email.lower(): user_id for user_id, email in members}
        self.firm_domains = {
            domain_of(e) for e in self.people if domain_of(e) not in PUBLIC_DOMAINS
        }
        self.client_domains = {
            d: c for d, c in domains.items() if c != AMBIGUOUS and d not in self.firm_domains
        }
        clients = Client.objects.for_workspace(workspace).values_list("pk", "name")
        self.client_names: dict[str, int] = {}
        for pk, name in clients:
            key = name.casefold().strip()
            self.client_names[key] = pk if key not in self.client_names else AMBIGUOUS
        plans = CommunicationPlan.objects.for_workspace(workspace).values_list(
            "client_id", "sla_hours"
        )
        self.sla_overrides: dict[int, dict[str, Any]] = dict(plans)
        self.calendar: bt.BusinessCalendar = sla.business_calendar(workspace)

    def client_party(self, address: str) -> Party | None:
        address = address.lower()
        if party := self.contacts.get(address):
            return party
        client_id = self.client_domains.get(domain_of(address))
        return Party(client_id, None) if client_id else None

    def is_firm(self, address: str) -> bool:
        address = address.lower()
        return address in self.people or domain_of(address) in self.firm_domains

    def person(self, address: str) -> int | None:
        return self.people.get(address.lower())

    def client_named(self, name: str) -> int | None:
        found = self.client_names.get(name.casefold().strip())
        return found if found and found != AMBIGUOUS else None

    def sla_due(
        self, client_id: int, channel: str, priority: str, received: dt.datetime
    ) -> tuple[Decimal, dt.datetime]:
        """The SLA hours of the client's channel, and when an inquiry received then is due."""
        hours = sla.sla_hours_for(self.sla_overrides.get(client_id), channel, priority)
        return hours, sla.sla_due(self.calendar, received, hours)
