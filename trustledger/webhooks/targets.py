"""Where a webhook may be sent: http(s) only, and not into private networks unless allowed.

A URL is checked when it is saved and again before every delivery (a name may resolve elsewhere
later): every address its host resolves to must be public, unless the workspace's owner allowed
private targets (loopback, RFC 1918, link-local, unique-local...), e.g. for a receiver on the
same machine or for tests.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class TargetRefused(ValueError):
    """The URL may not receive webhooks; the message says why, in words for the settings page."""


def _addresses(host: str, port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host “{host}” cannot be found ({error}).") from error
    return {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_target(url: str, *, allow_private: bool) -> None:
    """Raise ``TargetRefused`` unless ``url`` is an http(s) URL webhooks may be sent to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("Put credentials in the path or a query parameter, not in the host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused("The URL's port is not valid.") from error
    if allow_private:
        return
    refused = sorted(str(a) for a in _addresses(parts.hostname, port) if _private(a))
    if refused:
        raise TargetRefused(
            f"“{parts.hostname}” is a loopback or private address ({', '.join(refused)}); an "
            "owner can allow private targets in the webhook settings."
        )
