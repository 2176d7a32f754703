"""The visited-state store: a byte or bit map over the packed state when it is small, a set
otherwise.

A Python set (or dict) lookup of a state that is already there compares the stored int
object, a pointer chase to a random address: on large runs that cache miss is most of the
cost of a duplicate successor. When the packed state fits in few bits, the store is a flat
map indexed by the state itself: one byte (or bit) per possible state, and successors of a
state (which differ in a few low fields) land near each other. Measured on GRID(6,9) (24 bits)
the byte map expands about 1.7x faster than a dict, on GRID(7,9) (28 bits) about 2x.

The map is an anonymous private mmap: the kernel zero-fills pages lazily (resident memory
grows only with the pages the reachable states touch) and forked workers get a
copy-on-write snapshot. Parents are not kept here but in per-level lists (search.py).
"""
from __future__ import annotations

import mmap

BYTE_MAP_MAX_BITS = 30  # one byte per state: up to 1 GB of address space
BIT_MAP_MAX_BITS = 40  # one bit per state: up to 128 GB of address space (not memory)
MAP_NORESERVE = 0x4000  # Linux: do not reserve swap for the (sparse) map
# A map whose resident pages outgrow this many bytes per stored state (beyond a fixed
# allowance) is too sparse to pay off: the search moves to a set (search.py).
SPARSE_BYTES_PER_STATE = 200
SPARSE_ALLOWANCE_MB = 128


def choose(total_bits: int, memory_limit_mb: int | None = None) -> str:
    """'bytes' | 'bits' | 'set' for a packed state of `total_bits` bits."""
    if memory_limit_mb is not None and memory_limit_mb < 2 * SPARSE_ALLOWANCE_MB:
        return "set"
    if total_bits <= BYTE_MAP_MAX_BITS:
        return "bytes"
    if total_bits <= BIT_MAP_MAX_BITS:
        return "bits"
    return "set"


class Visited:
    """The store object (`.table`, handed to the kernel as `seen`) and slow-path helpers."""

    def __init__(self, mode: str, total_bits: int):
        self.mode = mode
        if mode in ("bytes", "bits"):
            size = (1 << total_bits) if mode == "bytes" else max(1, (1 << total_bits) >> 3)
            try:
                self.table: object = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | _noreserve())
            except (OSError, OverflowError, ValueError, AttributeError, TypeError):
                self.mode = mode = "set"  # no address space for it: fall back
        if mode == "set":
            self.table = set()

    def add(self, n: int) -> bool:
        """Insert n; True if it was new."""
        t = self.table
        if self.mode == "bytes":
            if t[n]:  # type: ignore[index]
                return False
            t[n] = 1  # type: ignore[index]
            return True
        if self.mode == "bits":
            b, m = n >> 3, 1 << (n & 7)
            if t[b] & m:  # type: ignore[index]
                return False
            t[b] |= m  # type: ignore[index]
            return True
        if n in t:  # type: ignore[operator]
            return False
        t.add(n)  # type: ignore[attr-defined]
        return True

    def __contains__(self, n: int) -> bool:
        t = self.table
        if self.mode == "bytes":
            return bool(t[n])  # type: ignore[index]
        if self.mode == "bits":
            return bool(t[n >> 3] & (1 << (n & 7)))  # type: ignore[index]
        return n in t  # type: ignore[operator]

    def close(self) -> None:
        if isinstance(self.table, mmap.mmap):
            self.table.close()


def _noreserve() -> int:
    import sys
    return MAP_NORESERVE if sys.platform.startswith("linux") else 0


def insert_code(mode: str) -> tuple[str, str]:
    """(test that n is new, statement marking it) as kernel source text."""
    if mode == "bytes":
        return "not seen[n]", "seen[n] = 1"
    if mode == "bits":
        return "not (seen[n >> 3] >> (n & 7)) & 1", "seen[n >> 3] |= 1 << (n & 7)"
    return "n not in seen", "sadd(n)"
