"""The visited set (sorted runs + blocked Bloom filter) against a Python set."""
from __future__ import annotations

import numpy as np
import pytest

from checker.vector.visited import BitFilter, SortedRunSet, fingerprint, merge_sorted


@pytest.mark.parametrize("spread", [1 << 62, 1 << 20, 5000])
def test_runs_and_filter_agree_with_a_python_set(spread):
    rng = np.random.default_rng(spread % 97)
    vs = SortedRunSet(fanout=2, max_run=1 << 12)  # small runs: several stay unmerged
    ref: set[int] = set()
    for _ in range(60):
        batch = np.unique(rng.integers(0, spread, rng.integers(1, 700), dtype=np.uint64))
        found, pos = vs.contains(batch)
        assert found.tolist() == [int(k) in ref for k in batch]
        new = batch[~found]
        vs.add(new, (pos[0][~found], pos[1][~found]))
        ref.update(int(k) for k in new)
        assert vs.count == len(ref)
    assert len(vs.runs) > 1  # the policy left several runs to probe
    if len(ref) * BitFilter.BITS_PER_KEY > 1 << 16:
        assert vs.filter.log_bits > 16  # the filter grew (refilled from the runs)
    everything = np.array(sorted(ref), dtype=np.uint64)
    assert vs.contains(everything)[0].all()


def test_filter_keeps_every_bit_when_a_batch_hits_one_word_many_times():
    f = BitFilter(16)
    keys = np.arange(5000, dtype=np.uint64)  # 5000 keys into 1024 words: many share one
    f.add_at(f.where(keys))
    assert f.maybe_at(f.where(keys)).all()  # a Bloom filter has no false negatives


def test_merge_and_fingerprint():
    a = np.array([1, 5, 9], np.uint64)
    b = np.array([0, 6, 10, 11], np.uint64)
    assert merge_sorted(a, b).tolist() == [0, 1, 5, 6, 9, 10, 11]
    w = [np.array([1, 1, 2], np.uint64), np.array([7, 8, 7], np.uint64)]
    fp = fingerprint(w)
    assert len(set(fp.tolist())) == 3  # distinct states, distinct fingerprints (here)
    assert fp.tolist() == fingerprint([x.copy() for x in w]).tolist()  # stable, not salted
