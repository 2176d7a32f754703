"""The visited set: sorted uint64 runs merged geometrically, fronted by a Bloom filter.

A batch of new keys arrives sorted (the engine deduplicates by sorting anyway) and becomes a
run; the two newest runs merge (one linear pass) while the older is at most `fanout` times the
newer and the result stays under `max_run` keys, so there are few runs, each key is merged a
few times, and no merge allocates more than `max_run` keys (see memory.py on why temporaries
must stay small). Membership first asks the filter (one word gather per key): only the keys
it cannot rule out, about 3% of new keys plus the keys really present, pay for a
`searchsorted` per run. At rest the set costs 8 bytes per key for the runs plus 1 to 2 for
the filter.

Keys are packed states when they fit in one word, else 64-bit fingerprints of the packed words
(see `fingerprint`).
"""
from __future__ import annotations

import numpy as np

from checker.growable import long_lived

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on uint64 with good avalanche."""
    h = h ^ (h >> np.uint64(30))
    h = h * _C1
    h = h ^ (h >> np.uint64(27))
    h = h * _C2
    out: np.ndarray = h ^ (h >> np.uint64(31))
    return out


def fingerprint(words: list[np.ndarray]) -> np.ndarray:
    """A stable 64-bit fingerprint of multi-word packed states (not Python's salted hash)."""
    h = np.full(len(words[0]), _SEED, np.uint64)
    for w in words:
        h = _mix(h ^ w) + _SEED
    return _mix(h)


def merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Merge two sorted, disjoint uint64 arrays in one linear pass."""
    return merge_with_values(a, b)[0]


def merge_with_values(a: np.ndarray, b: np.ndarray, ia: np.ndarray | None = None,
                      ib: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """merge_sorted, and when given, the arrays of values that ride along with the keys."""
    if len(a) < len(b):
        a, b, ia, ib = b, a, ib, ia
    if not len(b):
        return a, ia
    pos = np.searchsorted(a, b)
    pos += np.arange(len(b), dtype=pos.dtype)
    out = long_lived(len(a) + len(b), np.uint64)  # a run: outlives many chunks
    keep = np.ones(len(out), bool)
    keep[pos] = False
    out[pos] = b
    out[keep] = a
    if ia is None or ib is None:
        return out, None
    vals = long_lived(len(out), ia.dtype)
    vals[pos] = ib
    vals[keep] = ia
    return out, vals


REFILL_BLOCK = 1 << 18
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_BIT = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))


class BitFilter:
    """A blocked Bloom filter: two bits per key in one 64-bit word, 8 to 16 bits per key.

    It says "certainly absent" for most new keys for the price of one word gather, so only a
    few percent of them (about 5% at 8 bits per key) pay for a probe of the sorted runs. It
    doubles, refilled from the runs, when it would drop below 8 bits per key. Positions are
    computed once per key (`where`) and reused by `maybe_at` and `add_at`."""

    BITS_PER_KEY = 8

    def __init__(self, log_bits: int = 16):
        self.log_bits = log_bits
        self.words = long_lived(1 << (log_bits - 6), np.uint64, zero=True)

    def where(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(word index, two-bit mask) of each key."""
        h = keys ^ (keys >> np.uint64(29))
        h *= _GOLD  # the high bits of the product depend on every bit of the key
        w = self.log_bits - 6
        idx = (h >> np.uint64(64 - w)).view(np.int64)
        mask = _BIT[((h >> np.uint64(58 - w)) & np.uint64(63)).view(np.int64)]
        mask |= _BIT[((h >> np.uint64(52 - w)) & np.uint64(63)).view(np.int64)]
        return idx, mask

    def maybe_at(self, pos: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        idx, mask = pos
        out: np.ndarray = (self.words[idx] & mask) == mask
        return out

    def add_at(self, pos: tuple[np.ndarray, np.ndarray]) -> None:
        idx, mask = pos
        while len(idx):
            # duplicate words within the batch lose all but one write: redo those
            self.words[idx] |= mask
            missing = (self.words[idx] & mask) != mask
            idx, mask = idx[missing], mask[missing]

    def grow_for(self, count: int) -> bool:
        need = max(16, (count * self.BITS_PER_KEY - 1).bit_length())
        if need <= self.log_bits:
            return False
        self.log_bits = need
        self.words = long_lived(1 << (need - 6), np.uint64, zero=True)
        return True


class SortedRunSet:
    """A set of uint64 keys supporting batch membership and batch insertion; with `ids`, a
    map to a state number (uint32, 4 bytes per key) kept alongside each run."""

    def __init__(self, fanout: int = 4, max_run: int = 1 << 21, ids: bool = False):
        self.fanout = fanout
        self.max_run = max_run  # runs stop merging at this size: bounds a merge's transient
        self.runs: list[np.ndarray] = []
        self.ids: list[np.ndarray] | None = [] if ids else None
        self.count = 0
        self.peak_bytes = 0
        self.filter = BitFilter()

    @property
    def nbytes(self) -> int:
        return (sum(r.nbytes for r in self.runs) + self.filter.words.nbytes
                + sum(r.nbytes for r in self.ids or ()))

    def contains(self, keys: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Membership of each key (`keys` sorted), and the keys' filter positions for `add`."""
        found, pos, _ = self.lookup(keys)
        return found, pos

    def lookup(self, keys: np.ndarray, want_ids: bool = False,
               ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray | None]:
        """As `contains`, plus the id of each key found (with `want_ids`; 0 elsewhere)."""
        pos = self.filter.where(keys)
        found = np.zeros(len(keys), bool)
        ids = np.zeros(len(keys), np.int64) if want_ids else None
        if not len(keys) or not self.runs:
            return found, pos, ids
        idx = np.flatnonzero(self.filter.maybe_at(pos))
        if not len(idx):
            return found, pos, ids
        probe = keys[idx]
        hit = np.zeros(len(probe), bool)
        got = np.zeros(len(probe), np.int64) if want_ids else None
        for r, run in enumerate(self.runs):
            if not len(run) or probe[-1] < run[0] or probe[0] > run[-1]:
                continue
            i = np.searchsorted(run, probe)
            np.minimum(i, len(run) - 1, out=i)
            h = run[i] == probe
            hit |= h
            if got is not None and self.ids is not None:
                sel = np.flatnonzero(h)
                got[sel] = self.ids[r][i[sel]]
        found[idx] = hit
        if ids is not None and got is not None:
            ids[idx] = got
        return found, pos, ids

    def add(self, keys: np.ndarray, pos: tuple[np.ndarray, np.ndarray] | None = None,
            ids: np.ndarray | None = None) -> None:
        """Insert sorted keys, none of which is in the set yet (`pos`: their positions in the
        filter, from `contains`, when at hand; `ids`: their numbers, in a set with ids)."""
        if not len(keys):
            return
        self.runs.append(keys)
        if self.ids is not None:
            assert ids is not None
            self.ids.append(ids.astype(np.uint32))
        self.count += len(keys)
        if self.filter.grow_for(self.count):
            for run in self.runs:  # in blocks: small temporaries (see memory.py)
                for i in range(0, len(run), REFILL_BLOCK):
                    self.filter.add_at(self.filter.where(run[i:i + REFILL_BLOCK]))
        else:
            self.filter.add_at(pos if pos is not None else self.filter.where(keys))
        while (len(self.runs) > 1 and len(self.runs[-2]) <= self.fanout * len(self.runs[-1])
               and len(self.runs[-2]) + len(self.runs[-1]) <= self.max_run):
            b = self.runs.pop()
            a = self.runs.pop()
            ib = ia = None
            if self.ids is not None:
                ib, ia = self.ids.pop(), self.ids.pop()
            held = self.nbytes + a.nbytes + b.nbytes
            merged, vals = merge_with_values(a, b, ia, ib)
            self.runs.append(merged)
            if self.ids is not None:
                assert vals is not None
                self.ids.append(vals)
            self.peak_bytes = max(self.peak_bytes, held + self.runs[-1].nbytes)
        self.peak_bytes = max(self.peak_bytes, self.nbytes)
