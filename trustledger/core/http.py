"""What a request says about where it came from, and the addresses links point to.

Behind a reverse proxy every request arrives from the proxy's address: the client's is the last
address in ``X-Forwarded-For`` that a trusted proxy (``TRUSTLEDGER_TRUSTED_PROXIES``) did not add.
A header from anyone else is ignored, since a client can send any header it likes.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The client's address, for rate limits and the audit log."""
    address = str(request.META.get("REMOTE_ADDR") or "")
    if not _is_trusted(address):
        return address
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([a for a in forwarded if a]):
        if not _is_trusted(hop):
            return str(hop)
    return address


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (``TRUSTLEDGER_BASE_URL``): every link that leaves
    the site, in e-mails or copied from a page, is built here and never from a request's Host."""
    return settings.BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def public_address() -> dict[str, str]:
    """The public address as Django's password-reset e-mail names it (protocol and domain)."""
    protocol, _, rest = settings.BASE_URL.partition("://")
    return {"protocol": protocol, "domain": rest.split("/", 1)[0]}
