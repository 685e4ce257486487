"""Signing secrets: made, sealed at rest, and opened to sign.

A Standard Webhooks secret is ``whsec_`` and base64 of random bytes. Signing needs the secret
itself, so it is stored sealed (encrypt-then-MAC: an HMAC-SHA256 keystream in counter mode and an
HMAC-SHA256 tag, both keyed from ``SECRET_KEY``), never in the clear; a database dump without the
settings reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

PREFIX = "whsec_"


class SealBroken(ValueError):
    """The sealed value was changed, or ``SECRET_KEY`` is not the one that sealed it."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"trustledger.webhooks.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _keystream(nonce: bytes, length: int) -> bytes:
    key = _key("encrypt")
    blocks = (
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
        for i in range(length // 32 + 1)
    )
    return b"".join(blocks)[:length]


def seal(secret: str) -> str:
    plain = secret.encode()
    nonce = secrets.token_bytes(16)
    cipher = bytes(a ^ b for a, b in zip(plain, _keystream(nonce, len(plain)), strict=True))
    tag = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.b64encode(nonce + cipher + tag).decode()


def unseal(sealed: str) -> str:
    raw = base64.b64decode(sealed)
    nonce, cipher, tag = raw[:16], raw[16:-32], raw[-32:]
    expected = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise SealBroken("the webhook secret cannot be opened")
    return bytes(
        a ^ b for a, b in zip(cipher, _keystream(nonce, len(cipher)), strict=True)
    ).decode()
