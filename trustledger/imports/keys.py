"""Import keys: how a re-imported row is recognised, so importing a file twice adds nothing.

A row's key is the SHA-256 of its normalised content (chosen by the importer: what identifies the
fact, not how the export formats it) and of its *occurrence number*: how many identical rows came
before it in the same file. Two genuinely identical rows (two 1-hour calls on the same day with the
same note) are two facts: they get keys ``…#0`` and ``…#1``, both import, and a re-import finds
both keys and skips both.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt


def content_digest(content: str) -> bytes:
    return hashlib.sha256(content.encode()).digest()


def import_key(digest: bytes, occurrence: int) -> str:
    """The stored key (64 hex characters) of the ``occurrence``-th row with this content digest."""
    return hashlib.sha256(digest + b"#%d" % occurrence).hexdigest()


class OccurrenceCounter:
    """Counts earlier identical rows of a file in bounded memory.

    A Python set of a million row digests costs about 70 MB; this keeps the first 8 bytes of
    each distinct digest in one sorted numpy array (8 bytes a row), looked up a batch at a time.
    The few contents seen more than once are counted in a small dict. Two different rows sharing
    8 bytes of SHA-256 (odds about 1 in 10^7 for a 10-million-row file) would only number one of
    them 1 instead of 0, the same way on every import, so no row is ever lost or duplicated.
    """

    def __init__(self) -> None:
        self._seen: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._repeats: dict[int, int] = {}  # extra sightings beyond the first

    def number(self, digests: list[bytes]) -> list[int]:
        """The occurrence number of each digest of the next batch, in file order."""
        prefixes = [int.from_bytes(d[:8], "little", signed=True) for d in digests]
        earlier = self._seen_before(prefixes)
        in_batch: dict[int, int] = {}
        numbers = []
        for prefix in prefixes:
            before = (1 + self._repeats.get(prefix, 0)) if prefix in earlier else 0
            numbers.append(before + in_batch.get(prefix, 0))
            in_batch[prefix] = in_batch.get(prefix, 0) + 1
        self._remember(in_batch, earlier)
        return numbers

    def _seen_before(self, prefixes: list[int]) -> set[int]:
        if not len(self._seen):
            return set()
        batch = np.array(prefixes, dtype=np.int64)
        positions = np.searchsorted(self._seen, batch).clip(max=len(self._seen) - 1)
        return set(batch[self._seen[positions] == batch].tolist())

    def _remember(self, in_batch: dict[int, int], earlier: set[int]) -> None:
        new = []
        for prefix, count in in_batch.items():
            extra = count if prefix in earlier else count - 1
            if extra:
                self._repeats[prefix] = self._repeats.get(prefix, 0) + extra
            if prefix not in earlier:
                new.append(prefix)
        if new:
            fresh = np.sort(np.array(new, dtype=np.int64))
            self._seen = np.insert(self._seen, np.searchsorted(self._seen, fresh), fresh)
