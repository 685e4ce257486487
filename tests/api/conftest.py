"""Fixtures of the API tests (the keys live in ``keyring``, beside their helpers)."""

from tests.api.keyring import read_key, write_key

__all__ = ["read_key", "write_key"]
