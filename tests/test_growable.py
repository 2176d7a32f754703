"""checker/growable.py on both of its paths: the mremap'd mapping and the copying fallback
(forced with mapped=False, and reached from a mapping when a view is alive). Expected contents
are the plain concatenation of what was appended (an independent reference: np.concatenate)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from checker import growable
from checker.growable import Growable

PATHS = [pytest.param(True, id="mapped"), pytest.param(False, id="fallback")]


def _pieces(dtype: np.dtype, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = [0, 1, 5, 4096, 3, 10_000, 0, 70_000, 2]  # crosses several doublings of cap 8
    return [rng.integers(0, 200, n).astype(dtype) for n in sizes]


@pytest.mark.parametrize("mapped", PATHS)
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.uint16, np.uint32, np.int64])
def test_appends_read_back_as_their_concatenation(mapped: bool, dtype: type) -> None:
    g = Growable(dtype, cap=8, mapped=mapped)
    assert g.mapped == (mapped and growable.mremap_available())
    got = []
    for i, p in enumerate(_pieces(np.dtype(dtype), 1)):
        g.append(p)
        got.append(p)
        want = np.concatenate(got)
        v = g.view()
        assert v.dtype == np.dtype(dtype) and len(v) == g.n == len(want)
        assert np.array_equal(v, want), i
        assert g.nbytes == want.nbytes and g.capacity >= g.n
        del v  # a live view would make the next growth copy (tested below)


@pytest.mark.parametrize("mapped", PATHS)
def test_a_view_stays_valid_across_growth(mapped: bool) -> None:
    """A view taken before the buffer grows keeps its contents (on the mapped path the
    mapping cannot be moved under it, so the growth copies into a new mapping)."""
    g = Growable(np.uint32, cap=4, mapped=mapped)
    g.append(np.arange(4, dtype=np.uint32))
    old = g.view()
    g.append(np.arange(4, 100_000, dtype=np.uint32))  # grows past cap 4 while `old` lives
    assert np.array_equal(old, np.arange(4, dtype=np.uint32))
    assert np.array_equal(g.view(), np.arange(100_000, dtype=np.uint32))
    old[0] = 7  # the old buffer is the old view's alone now
    assert int(g.view()[0]) == 0
    v = g.view()
    v[1] = 9  # views are writable (liveness_scc edits the graph in place for a call)
    assert int(g.view()[1]) == 9


def test_fallback_chosen_when_mremap_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform where the probe fails (no mremap, no MAP_PRIVATE) gets the copying path."""
    monkeypatch.setattr(growable, "_MREMAP", [])

    def no_flags(*args: object, **kw: object) -> None:
        raise TypeError("flags is not supported here")

    monkeypatch.setattr("mmap.mmap", no_flags)
    assert growable.mremap_available() is False
    g = Growable(np.uint8, cap=2)
    assert not g.mapped
    g.append(np.arange(10, dtype=np.uint8))
    assert np.array_equal(g.view(), np.arange(10, dtype=np.uint8))


def test_a_failing_resize_falls_back_to_copying(monkeypatch: pytest.MonkeyPatch) -> None:
    if not growable.mremap_available():
        pytest.skip("no mremap here: the mapped path is not used")
    g = Growable(np.int64, cap=2)
    g.append(np.array([5, 6], np.int64))
    assert g.mapped

    def refuse(mm: object, nbytes: int) -> None:  # as mremap failing with ENOMEM
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(Growable, "_resize", staticmethod(refuse))
    g.append(np.array([7], np.int64))  # needs cap 3 > 2: the resize fails, a copy is made
    assert not g.mapped
    assert g.view().tolist() == [5, 6, 7]


def _vm_size_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    raise AssertionError("no VmSize")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_mappings_are_unmapped_when_the_last_reference_goes() -> None:
    if not growable.mremap_available():
        pytest.skip("no mremap here")
    before = _vm_size_kb()
    g = Growable(np.uint8, cap=1 << 26, mapped=True)  # 64 MiB of address space
    g.append(np.ones(10, np.uint8))
    v = g.view()
    assert _vm_size_kb() - before >= 60_000
    del g
    assert _vm_size_kb() - before >= 60_000  # the view keeps the mapping
    assert int(v.sum()) == 10
    del v
    assert _vm_size_kb() - before < 30_000  # munmapped with the last view


@pytest.mark.parametrize("mapped", PATHS)
def test_long_lived_arrays_are_zeroed_when_asked_and_writable(
        mapped: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not mapped:
        monkeypatch.setattr(growable, "_MREMAP", [False])  # as on a platform without mremap
    n = growable.LONG_LIVED_MIN // 8 + 3  # big enough for a mapping of its own
    z = growable.long_lived(n, np.uint64, zero=True)
    assert z.dtype == np.uint64 and len(z) == n and not z.any()
    e = growable.long_lived(n, np.uint32)
    e[:] = np.arange(n, dtype=np.uint32)
    assert int(e[-1]) == n - 1
    small = growable.long_lived(3, np.int64, zero=True)  # below the threshold: numpy's heap
    assert small.tolist() == [0, 0, 0]
