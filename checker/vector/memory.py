"""Keeping freed numpy buffers in the process heap while the engine runs.

The engine allocates and frees arrays of a few MB per chunk. glibc hands blocks above its
mmap threshold (128 KiB, adapting upward only now and then) back to the kernel on free, so
every such temporary costs fresh page faults when it is next allocated: on the VMs we measured
that is ~4 ns per 8-byte element per temporary, 10x the arithmetic itself. Raising the mmap
threshold to glibc's maximum (32 MiB) and the trim threshold out of reach for the duration of
a run lets the heap reuse those blocks; afterwards both thresholds go back to glibc's initial
values and freed memory is given back with malloc_trim.

LIMITATION: glibc only (elsewhere this is a no-op), process-wide while a check runs, and arrays
above 32 MiB are still mmapped: the engine keeps its temporaries below that (chunk budget,
largest merged run, blocked filter refills).
"""
from __future__ import annotations

import ctypes
import ctypes.util
from contextlib import contextmanager
from typing import Iterator

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_MAX = 32 * 2**20  # glibc's cap on 64-bit
DEFAULT_TRIM = 128 * 2**10
DEFAULT_MMAP = 128 * 2**10  # glibc's initial thresholds (their dynamic tuning stays off)
MAX_TEMP_BYTES = 16 * 2**20  # temporaries up to this stay cheap (see module docstring)


_LIBC: list[ctypes.CDLL | None] = []


def _libc() -> ctypes.CDLL | None:
    """glibc, looked up once (find_library may run a subprocess)."""
    if not _LIBC:
        lib: ctypes.CDLL | None = None
        for name in ("libc.so.6", ctypes.util.find_library("c")):
            try:
                lib = ctypes.CDLL(name)
                lib.mallopt  # noqa: B018 - glibc only
                lib.malloc_trim  # noqa: B018
                break
            except (OSError, AttributeError, TypeError):
                lib = None
        _LIBC.append(lib)
    return _LIBC[0]


@contextmanager
def heap_reuse() -> Iterator[None]:
    libc = _libc()
    if libc is None:
        yield
        return
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)
    libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    try:
        yield
    finally:
        libc.mallopt(M_MMAP_THRESHOLD, DEFAULT_MMAP)
        libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM)
        libc.malloc_trim(0)


def give_back() -> None:
    """Return the heap's free pages to the kernel now (glibc; a no-op elsewhere)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
