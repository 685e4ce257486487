"""Fixtures of the API tests (the keys live in ``keyring``, beside their helpers; the import
tests reuse the import fixtures' firm, whose engagements the sample files name)."""

from tests.api.keyring import read_key, write_key
from tests.imports.conftest import firm

__all__ = ["firm", "read_key", "write_key"]
