"""`while op(...)` and `while !op(...)` with a kernel API call as the loop's test
(mmspec/kernelexpand.py): the op runs at every test, and each test is one step with its
decision, as C evaluates `while (!atomic_try_cmpxchg(&v, &old, new))`."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.options import CheckOptions
from mmspec.cli import _run_engine
from mmspec.frontend import load_spec
from mmspec.ground import ground

CAS_LOOP = """spec cas
type T = 0..1
var v: 0..2 = 0
process t[i in T] {
    var old: 0..2
r:  old := atomic_read(&v)
c:  while !atomic_try_cmpxchg(&v, &old, old + 1) { }
}
invariant counted: (t[0]@done && t[1]@done) => v == 2
"""


def _cas_loop_states() -> int:
    """An independent model of the intended steps, per thread (pc, k, old) and shared v:
    r: old := v; c: the cmpxchg and its decision (success: v := old + 1, k := false;
    failure: old := v, k := true), to the loop head H; at H with k the same cmpxchg step
    again (the empty body), without k one step to done (the loop exit ends the process)."""
    def succ(s: tuple) -> list[tuple]:
        v, ts = s
        out = []
        for i, (pc, k, old) in enumerate(ts):
            def put(t: tuple, nv: int) -> tuple:
                return (nv, ts[:i] + (t,) + ts[i + 1:])
            if pc == "r":
                out.append(put(("c", k, v), v))
            elif pc == "c" or (pc == "H" and k):
                out.append(put(("H", False, old), old + 1) if v == old
                           else put(("H", True, v), v))
            elif pc == "H":
                out.append(put(("done", k, old), v))
        return out
    init = (0, (("r", False, 0),) * 2)
    seen, frontier = {init}, [init]
    while frontier:
        frontier = [t for s in frontier for t in succ(s) if t not in seen and not seen.add(t)]
    return len(seen)  # 28


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_a_cmpxchg_retry_loop_counts_as_the_kernels_steps(tmp_path: Path, engine: str) -> None:
    f = tmp_path / "cas.mms"
    f.write_text(CAS_LOOP)
    res = _run_engine(engine, ground(load_spec(str(f))), CheckOptions())
    assert not res.violations
    assert res.stats.distinct_states == _cas_loop_states()


LOCK = """spec bitlock
type T = 0..1
var flags: 0..1 = 0
process t[i in T] {
a:  ACQUIRE
cs: skip
u:  clear_bit(0, &flags)
}
invariant exclusive: !(t[0]@u && t[1]@u)
"""


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_a_bit_spinlock_excludes_only_when_test_and_set_is_the_loop_test(
        tmp_path: Path, engine: str) -> None:
    """`while test_and_set_bit(0, &flags) { }` is a lock; a test_bit loop followed by a
    separate set_bit is not: both threads see the bit clear before either sets it. The
    loop form must not merge the test into the set (the race must stay visible)."""
    ok, racy = tmp_path / "ok.mms", tmp_path / "racy.mms"
    ok.write_text(LOCK.replace("ACQUIRE", "while test_and_set_bit(0, &flags) { }"))
    racy.write_text(LOCK.replace("ACQUIRE", "while test_bit(0, &flags) { }\n"
                                 "s:  set_bit(0, &flags)"))
    good = _run_engine(engine, ground(load_spec(str(ok))), CheckOptions(depth=12))
    bad = _run_engine(engine, ground(load_spec(str(racy))), CheckOptions(depth=12))
    assert not good.violations
    assert [v.property for v in bad.violations] == ["exclusive"]


def test_the_loop_works_in_a_proc_and_keeps_the_label(tmp_path: Path) -> None:
    f = tmp_path / "p.mms"
    f.write_text("var v: 0..2 = 0\nproc inc() {\n  var old: 0..2\n  old := atomic_read(&v)\n"
                 "  l: while !atomic_try_cmpxchg(&v, &old, old + 1) { }\n}\n"
                 "process a { x: inc() }\nprocess b { y: inc() }\n"
                 "invariant both: (a@done && b@done) => v == 2\n")
    spec = load_spec(str(f))
    assert any(t.label.endswith("l") for t in spec.transitions if t.process == "a")
    res = _run_engine("explicit", ground(spec), CheckOptions())
    assert not res.violations and res.stats.distinct_states > 0
