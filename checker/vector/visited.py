"""The visited set: sorted uint64 runs merged geometrically (a tiny log-structured merge tree).

A batch of new keys arrives sorted (the engine deduplicates by sorting anyway) and becomes a
run; the two newest runs merge while the older is at most `fanout` times the newer, so there
are O(log_fanout n) runs and each key is merged O(log_fanout n) times, each merge a linear
pass. Membership is a `searchsorted` per run with sorted needles, which walks the run almost
sequentially. At rest it costs 8 bytes per key; a merge holds both inputs and the output for a
moment (up to 16 bytes per key for the largest merge).

Keys are packed states when they fit in one word, else 64-bit fingerprints of the packed words
(see `fingerprint`).
"""
from __future__ import annotations

import numpy as np

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on uint64 with good avalanche."""
    h = h ^ (h >> np.uint64(30))
    h = h * _C1
    h = h ^ (h >> np.uint64(27))
    h = h * _C2
    return h ^ (h >> np.uint64(31))


def fingerprint(words: list[np.ndarray]) -> np.ndarray:
    """A stable 64-bit fingerprint of multi-word packed states (not Python's salted hash)."""
    h = np.full(len(words[0]), _SEED, np.uint64)
    for w in words:
        h = _mix(h ^ w) + _SEED
    return _mix(h)


def merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Merge two sorted, disjoint uint64 arrays in one linear pass."""
    if len(a) < len(b):
        a, b = b, a
    if not len(b):
        return a
    pos = np.searchsorted(a, b)
    pos += np.arange(len(b), dtype=pos.dtype)
    out = np.empty(len(a) + len(b), np.uint64)
    keep = np.ones(len(out), bool)
    keep[pos] = False
    out[pos] = b
    out[keep] = a
    return out


class BitFilter:
    """A one-hash Bloom filter with 8 to 16 bits per key: says "certainly absent" for most
    new keys for the price of one byte gather, so only ~12% of them pay for a probe of the
    sorted runs. It doubles (and is refilled from the runs) when it passes 1/8 full."""

    BITS_PER_KEY = 8

    def __init__(self, log_bits: int = 16):
        self.log_bits = log_bits
        self.bytes = np.zeros(1 << (log_bits - 3), np.uint8)

    def _where(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = _mix(keys) >> np.uint64(64 - self.log_bits)
        return (h >> np.uint64(3)).astype(np.intp), (h & np.uint64(7)).astype(np.uint8)

    def maybe(self, keys: np.ndarray) -> np.ndarray:
        byte, bit = self._where(keys)
        return (self.bytes[byte] >> bit) & 1 != 0

    def add(self, keys: np.ndarray) -> None:
        byte, bit = self._where(keys)
        mask = np.left_shift(np.uint8(1), bit)
        while len(byte):
            # duplicate bytes within the batch lose all but one write: redo those
            self.bytes[byte] |= mask
            missing = self.bytes[byte] & mask == 0
            byte, mask = byte[missing], mask[missing]

    def grow_for(self, count: int) -> bool:
        need = max(16, (count * self.BITS_PER_KEY - 1).bit_length())
        if need <= self.log_bits:
            return False
        self.log_bits = need
        self.bytes = np.zeros(1 << (need - 3), np.uint8)
        return True


class SortedRunSet:
    """A set of uint64 keys supporting batch membership and batch insertion."""

    def __init__(self, fanout: int = 4, max_run: int = 1 << 22):
        self.fanout = fanout
        self.max_run = max_run  # runs stop merging at this size: bounds a merge's transient
        self.runs: list[np.ndarray] = []
        self.count = 0
        self.peak_bytes = 0
        self.filter = BitFilter()

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes for r in self.runs) + self.filter.bytes.nbytes

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Membership of each key; `keys` must be sorted."""
        found = np.zeros(len(keys), bool)
        if not len(keys) or not self.runs:
            return found
        idx = np.flatnonzero(self.filter.maybe(keys))
        if not len(idx):
            return found
        probe = keys[idx]
        hit = np.zeros(len(probe), bool)
        for run in self.runs:
            if not len(run) or probe[-1] < run[0] or probe[0] > run[-1]:
                continue
            i = np.searchsorted(run, probe)
            np.minimum(i, len(run) - 1, out=i)
            hit |= run[i] == probe
        found[idx] = hit
        return found

    def add(self, keys: np.ndarray) -> None:
        """Insert sorted keys, none of which is in the set yet."""
        if not len(keys):
            return
        self.runs.append(keys)
        self.count += len(keys)
        if self.filter.grow_for(self.count):
            for run in self.runs:
                self.filter.add(run)
        else:
            self.filter.add(keys)
        while (len(self.runs) > 1 and len(self.runs[-2]) <= self.fanout * len(self.runs[-1])
               and len(self.runs[-2]) + len(self.runs[-1]) <= self.max_run):
            b = self.runs.pop()
            a = self.runs.pop()
            held = self.nbytes + a.nbytes + b.nbytes
            self.runs.append(merge_sorted(a, b))
            self.peak_bytes = max(self.peak_bytes, held + self.runs[-1].nbytes)
        self.peak_bytes = max(self.peak_bytes, self.nbytes)
