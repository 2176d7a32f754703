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


NONATOMIC = """spec nb
type T = 0..1
var w: 0..3 = 0
process t[i in T] {
s:  OP(i, &w)
}
invariant both: (t[0]@done && t[1]@done) => w == WANT
"""


def _lost_update_states(op: str) -> tuple[int, set[int]]:
    """Independent model: per thread (pc, register); s: register := w; store: w :=
    register OP (1 << i). Returns the state count and the final values of w."""
    f = {"__set_bit": lambda r, m: r | m, "__change_bit": lambda r, m: r ^ m}[op]

    def succ(s: tuple) -> list[tuple]:
        w, ts = s
        out = []
        for i, (pc, r) in enumerate(ts):
            def put(t: tuple, nw: int) -> tuple:
                return (nw, ts[:i] + (t,) + ts[i + 1:])
            if pc == "s":
                out.append(put(("store", w), w))
            elif pc == "store":
                out.append(put(("done", r), f(r, 1 << i)))
        return out
    init = (0, (("s", 0),) * 2)
    seen, frontier = {init}, [init]
    while frontier:
        frontier = [t for s in frontier for t in succ(s) if t not in seen and not seen.add(t)]
    return len(seen), {w for w, ts in seen if all(pc == "done" for pc, _ in ts)}


@pytest.mark.parametrize("op", ["__set_bit", "__change_bit"])
@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_a_non_atomic_bit_op_is_a_load_and_a_store(tmp_path: Path, engine: str, op: str
                                                   ) -> None:
    """Two threads each set (flip) their own bit of one word with the non-atomic form: one
    update can be lost (w ends 1 or 2, not only 3), as in the kernel. 14 states each."""
    count, finals = _lost_update_states(op)
    assert finals == {1, 2, 3}
    f = tmp_path / "nb.mms"
    f.write_text(NONATOMIC.replace("OP", op).replace("WANT", "3"))
    res = _run_engine(engine, ground(load_spec(str(f))), CheckOptions(max_errors=1))
    assert [v.property for v in res.violations] == ["both"]
    f.write_text(NONATOMIC.replace("OP", op).replace("WANT", "3 || w == 1 || w == 2"))
    res = _run_engine(engine, ground(load_spec(str(f))), CheckOptions())
    assert not res.violations and res.stats.distinct_states == count


def test_a_non_atomic_op_on_a_word_of_unknown_type_is_an_error(tmp_path: Path) -> None:
    """Through a by-reference proc parameter the word's type is not known here: an error,
    never one atomic step (that would define the race away)."""
    from mmspec.diagnostics import SpecError
    f = tmp_path / "p.mms"
    f.write_text("var w: 0..3 = 0\nproc setb(&x) {\n  __set_bit(0, &x)\n}\n"
                 "process a { s: setb(w) }\n")
    with pytest.raises(SpecError) as e:
        load_spec(str(f))
    d = e.value.diagnostics[0]
    assert d.code == "MMS313" and "load and a store" in d.message and d.span.line == 3


def test_the_word_may_be_a_map_entry_or_record_field_through_an_alias(tmp_path: Path) -> None:
    f = tmp_path / "m.mms"
    f.write_text("type W = 0..3\ntype R = record { b: W }\nvar m: map[0..1] R = "
                 "{ b: 0 }\nprocess p[i in 0..1] {\n  s: __set_bit(i, &m[0].b)\n}\n"
                 "invariant both: (p[0]@done && p[1]@done) => m[0].b == 3\n")
    res = _run_engine("explicit", ground(load_spec(str(f))), CheckOptions())
    assert [v.property for v in res.violations] == ["both"]
