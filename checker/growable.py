"""An append-only numpy array that grows without copying and without touching spare capacity.

Where the platform allows (Linux: Python's `mmap.resize` is `mremap`), a buffer lives in a
private anonymous mapping grown by `mremap(MREMAP_MAYMOVE)`: the kernel moves page tables,
nothing is copied, and the spare tail of the capacity is never written, so it costs no
resident memory. numpy's `ndarray.resize` (realloc) zero-fills the new tail, which made the
whole doubled capacity resident: on vma_lock_refcnt at READERS=5 the edge targets alone hold
301 MB in a 512 MB buffer at the end of the search. With this (and the other changes listed
in docs/liveness.md) the whole READERS=5 check peaked at 52.5 bytes per state above start-up
against 81.9 before (bench/kernel.py, medians of 3, same run, load average 1-2 on 2 cores).

Elsewhere (no mremap, no anonymous `mmap` flags, or a resize that fails), and whenever a view
of the mapping is still alive (the kernel may move a mapping, so Python refuses to resize an
exported one), the buffer is grown by allocating a new one and copying the used part: always
correct, briefly twice the size. The choice is made at run time (`mremap_available`) and can be
forced per buffer (`mapped=False`; the tests run both paths).

Memory is given back when the last reference goes: a mapping is unmapped when the `mmap`
object dies, and every numpy view of it holds a reference, so no view can outlive its pages.
Readers get `view()`, the used part only.

Used for what a search appends chunk by chunk and keeps (the vector engine's state graph).

`long_lived(n, dtype)` puts one array that outlives many temporaries (the visited set's merged
runs, its filter) in a mapping of its own, outside malloc's heap (which the engine keeps for
its temporaries, checker/vector/memory.py), so dropping it unmaps it at once. Measured at
READERS=5 (one profiling run): the heap's size at the end of the search fell from 419 to 235
MB, but the peak RSS did not move: the ~215 MB of free heap left is the high-water mark of
the chunks' temporaries, not holes pinned by long-lived blocks.
"""
from __future__ import annotations

import mmap

import numpy as np

_MREMAP: list[bool] = []  # the probe's answer, once per process


def mremap_available() -> bool:
    """Whether anonymous private mappings can be created and grown in place here (probed once:
    one page mapped, grown to two, written at the end, unmapped)."""
    if not _MREMAP:
        ok = False
        try:
            page = mmap.PAGESIZE
            mm = mmap.mmap(-1, page, flags=mmap.MAP_PRIVATE)
            try:
                mm.resize(2 * page)
                mm[2 * page - 1] = 1
                ok = len(mm) == 2 * page
            finally:
                mm.close()
        except (AttributeError, TypeError, ValueError, OSError, SystemError, BufferError):
            ok = False  # no MAP_PRIVATE/flags (Windows), no mremap (SystemError), refused
        _MREMAP.append(ok)
    return _MREMAP[0]


LONG_LIVED_MIN = 1 << 20  # bytes; smaller arrays stay in the heap (a mapping costs syscalls)


def long_lived(n: int, dtype: type | np.dtype, zero: bool = False) -> np.ndarray:
    """An uninitialised (with `zero`, zeroed) array of n elements, in an anonymous mapping of
    its own when it is large and mappings are available (unmapped when the array and its
    views die; new mappings read as zeros), else from numpy as usual."""
    dt = np.dtype(dtype)
    nbytes = n * dt.itemsize
    if nbytes >= LONG_LIVED_MIN and mremap_available():
        try:
            return np.frombuffer(mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE), dt)
        except (OSError, ValueError):
            pass  # e.g. out of mappings: numpy's heap is as correct
    return np.zeros(n, dt) if zero else np.empty(n, dt)


class Growable:
    """An append-only 1-D array of a fixed dtype."""

    def __init__(self, dtype: type | np.dtype, cap: int = 1 << 12, mapped: bool | None = None):
        self.dtype = np.dtype(dtype)
        self.n = 0
        self.mapped = mremap_available() if mapped is None else (mapped and mremap_available())
        self._mm: mmap.mmap | None = None
        self._arr: np.ndarray | None = None
        self._cap = 0
        self._store(self._alloc(max(1, cap)), 0)

    @property
    def capacity(self) -> int:
        return self._cap

    def _alloc(self, cap: int) -> mmap.mmap | np.ndarray:
        if self.mapped:
            try:
                return mmap.mmap(-1, cap * self.dtype.itemsize, flags=mmap.MAP_PRIVATE)
            except (OSError, ValueError):
                self.mapped = False  # e.g. a mapping limit: plain numpy from now on
        return np.empty(cap, self.dtype)

    def _store(self, new: mmap.mmap | np.ndarray, keep: int) -> None:
        """Make `new` the buffer, its first `keep` elements copied from the current one."""
        if keep:
            self._whole(new)[:keep] = self.view()
        if isinstance(new, np.ndarray):
            self._mm, self._arr = None, new
            self._cap = len(new)
        else:
            self._mm, self._arr = new, None
            self._cap = len(new) // self.dtype.itemsize

    def _whole(self, store: mmap.mmap | np.ndarray) -> np.ndarray:
        return store if isinstance(store, np.ndarray) else np.frombuffer(store, self.dtype)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * self._cap)
        if self._mm is not None:
            try:
                self._resize(self._mm, cap * self.dtype.itemsize)
                self._cap = cap
                return
            except BufferError:
                pass  # a view is alive: copy into a new mapping, the old one lives on with it
            except (OSError, SystemError, ValueError, TypeError):
                self.mapped = False
        self._store(self._alloc(cap), self.n)

    @staticmethod
    def _resize(mm: mmap.mmap, nbytes: int) -> None:
        mm.resize(nbytes)  # mremap(MREMAP_MAYMOVE): no copy, the new tail untouched

    def append(self, a: np.ndarray) -> None:
        need = self.n + len(a)
        if need > self._cap:
            self._grow(need)
        store = self._mm if self._mm is not None else self._arr
        assert store is not None
        self._whole(store)[self.n:need] = a
        self.n = need

    def view(self) -> np.ndarray:
        """The appended elements (a view: it keeps the buffer alive, and while it lives the
        next growth copies instead of remapping)."""
        store = self._mm if self._mm is not None else self._arr
        assert store is not None
        return self._whole(store)[:self.n]

    @property
    def nbytes(self) -> int:
        return self.n * self.dtype.itemsize
