"""Lowering: the transitions produced for small processes, and reachable-state counts.

Counts are derived by hand in each test's docstring and checked with the reference BFS of
tests/test_ground.py over the grounded spec.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from mmspec import ir
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import eval_gexpr, ground
from tests.test_ground import reachable


def load(tmp_path: Path, text: str, defines: dict[str, int] | None = None,
         name: str = "t.mms") -> ir.Spec:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_spec(str(p), defines)


def count(spec: ir.Spec) -> int:
    return len(reachable(ground(spec)))


def transition(spec: ir.Spec, name: str) -> ir.Transition:
    for t in spec.transitions:
        if t.name == name:
            return t
    raise KeyError(f"{name} not in {[t.name for t in spec.transitions]}")


def deadlocks(spec: ir.Spec) -> list[dict]:
    """Reachable states with no enabled transition that are not allowed final states."""
    from mmspec.ground import decode_state
    g = ground(spec)
    out = []
    for s in reachable(g):
        if not any(eval_gexpr(t.guard, s) for t in g.transitions) and \
                not eval_gexpr(g.final, s):
            out.append(decode_state(g, s))
    return out


LOCK_INC = """
const N = 2
mutex m
var x: 0..N
process P[i in 1..N] {
  lock(m)
  x := x + 1
  unlock(m)
}
"""


def test_lock_increment_two_threads(tmp_path: Path) -> None:
    """Each thread is before lock (a), holding before/after the increment (b, c) or done (d);
    at most one thread is in b or c, and x and the lock follow from the pcs:
    4 * 4 - 4 = 12 states."""
    spec = load(tmp_path, LOCK_INC)
    assert count(spec) == 12


def test_lock_increment_define_override(tmp_path: Path) -> None:
    """With N threads: 2^N states with nobody holding the lock, plus N holders * 2 positions
    * 2^(N-1) for the others = 2^N (N + 1); N = 3 gives 32."""
    spec = load(tmp_path, LOCK_INC, {"N": 3})
    assert dict(spec.consts)["N"] == 3
    assert len(spec.threads) == 3
    assert count(spec) == 32


def test_unknown_define_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        load(tmp_path, LOCK_INC, {"M": 3})
    assert [d.code for d in e.value.diagnostics] == ["MMS208"]


def test_process_variables_and_threads(tmp_path: Path) -> None:
    spec = load(tmp_path, """
type Who = enum { ALICE, BOB }
var x: 0..3
process P[w in Who] { var n: 0..3 = 1
  go: x := n }
process Q { x := 0 }
""")
    pc = spec.variable("P.pc")
    assert pc.kind == "pc" and pc.process == "P"
    assert pc.type == ir.MapType(ir.EnumType("Who", ("ALICE", "BOB")),
                                 ir.EnumType("P.pc", ("go", "done")))
    assert pc.init == ((0, 0),)
    n = spec.variable("P.n")
    assert n.kind == "local" and n.init == ((1, 1),)
    assert spec.variable("Q.pc").type == ir.EnumType("Q.pc", ("L6", "done"))
    assert [(t.tid, t.name, t.index) for t in spec.threads] == [
        (0, "P[ALICE]", 0), (1, "P[BOB]", 1), (2, "Q", None)]
    go = transition(spec, "P.go")
    assert go.params[0] == ir.Param("w", ir.EnumType("Who", ("ALICE", "BOB")))
    assert go.process == "P" and go.label == "go"
    g = ground(spec)
    assert sorted(t.thread for t in g.transitions) == [0, 1, 2]


def test_merged_if_and_empty_else(tmp_path: Path) -> None:
    """The test joins the branch's first step; the empty else is a pc-only step.
    States: (at if, x=0, y=0) -> (at y, 1, 0) -> (done, 1, 1): 3."""
    spec = load(tmp_path, """
var x: 0..1
var y: 0..1
process p {
  t: if x == 0 { x := 1 }
  y := 1
}
""")
    then, other = transition(spec, "p.t"), transition(spec, "p.t#2")
    assert then.label == other.label == "t"
    eq_x0 = ir.Binary("eq", ir.VarRef("x"), ir.Lit(0, ir.IntType(0, 0)))
    assert then.at == ir.Binary("and", ir.Binary("eq", ir.VarRef("p.pc"),
                                                 ir.Lit(0, spec.variable("p.pc").type)), eq_x0)
    assert {u.target for u in then.updates} == {ir.VarRef("x"), ir.VarRef("p.pc")}
    assert {u.target for u in other.updates} == {ir.VarRef("p.pc")}
    assert count(spec) == 3


def test_nested_if_merges_recursively(tmp_path: Path) -> None:
    spec = load(tmp_path, """
var x: 0..2
process p { if x == 0 { if x != 1 { x := 2 } } }
""")
    names = sorted(t.name for t in spec.transitions)
    # x==0 && x!=1 ; x==0 && !(x!=1) ; !(x==0): three alternatives of one point
    assert names == ["p.L3", "p.L3#2", "p.L3#3"]
    assert count(spec) == 2  # (if, 0) -> (done, 2)


def test_while_loop(tmp_path: Path) -> None:
    """(loop, x) for x = 0..3, then the exit step to (done, 3): 5 states."""
    spec = load(tmp_path, """
var x: 0..3
process p { loop: while x < 3 { x := x + 1 } }
""")
    body = transition(spec, "p.loop")
    pc_t = spec.variable("p.pc").type
    assert ir.Update(ir.VarRef("p.pc"), ir.Lit(0, pc_t)) in body.updates  # back to the head
    assert count(spec) == 5


def test_either_and_pick(tmp_path: Path) -> None:
    """either: init plus two outcomes (3); pick v in {1, 2}: init plus two (3)."""
    spec = load(tmp_path, """
var x: 0..2
process p { either { x := 1 } or { x := 2 } }
""")
    assert count(spec) == 3
    spec = load(tmp_path, """
process p { var v: 0..3
  pick v in {1, 2} where v != 3 }
""")
    t = spec.transitions[0]
    assert [p.name for p in t.params] == ["v"]
    assert count(spec) == 3


def test_goto_merges_into_previous_step(tmp_path: Path) -> None:
    """a: x := 1, then goto a: the assignment step jumps straight back to a."""
    spec = load(tmp_path, """
var x: 0..1
process p {
  a: x := 1
  goto a
}
option deadlock = false
""")
    assert [t.name for t in spec.transitions] == ["p.a"]
    pc_t = spec.variable("p.pc").type
    assert pc_t.members == ("a", "done")
    assert ir.Update(ir.VarRef("p.pc"), ir.Lit(0, pc_t)) in spec.transitions[0].updates


def test_atomic_substitution(tmp_path: Path) -> None:
    """One RMW step per thread: the later statement reads the earlier one's effect.
    States: init; thread 1 first (ref 1); thread 2 first (ref 1); both done with old values
    0/1 or 1/0 (ref 2): 5."""
    spec = load(tmp_path, """
var ref: 0..2
process R[i in 1..2] { var old: 0..2
  atomic { old := ref; ref := old + 1 } }
""")
    t = transition(spec, "R.L4")
    ups = {u.target: u.value for u in t.updates}
    one = ir.Lit(1, ir.IntType(1, 1))
    assert ups[ir.VarRef("ref")] == ir.Binary("add", ir.VarRef("ref"), one)
    assert ups[ir.Index(ir.VarRef("R.old"), ir.ParamRef("i"))] == ir.VarRef("ref")
    assert count(spec) == 5


def test_plain_load_store_loses_updates(tmp_path: Path) -> None:
    """Load and store as two steps: (a,a) 1, (b,a) 1, (a,b) 1, (b,b) 1, (d,a) 1, (a,d) 1,
    (d,b) 2, (b,d) 2, (d,d) 3 (ref 1 with n 0/0, ref 2 with n 0/1 or 1/0) = 13 states,
    one of which lost an update."""
    spec = load(tmp_path, """
var ref: 0..2
process R[i in 1..2] { var n: 0..2
  r1: n := ref
  r2: ref := n + 1 }
""")
    assert count(spec) == 13
    g = ground(spec)
    from mmspec.ground import decode_state
    finals = [decode_state(g, s) for s in reachable(g) if eval_gexpr(g.final, s)]
    assert sorted(s["ref"] for s in finals) == [1, 2, 2]


def test_atomic_if_becomes_ite(tmp_path: Path) -> None:
    spec = load(tmp_path, """
var x: 0..2
var y: 0..2
process p { atomic { x := x + 1; if x == 1 { y := 2 } else { y := 1 }; assert y != 0 } }
""")
    t = spec.transitions[0]
    ups = {u.target: u.value for u in t.updates}
    assert isinstance(ups[ir.VarRef("y")], ir.Ite)
    assert t.checks[0].kind == "assertion" and t.checks[0].when == "fire"
    g = ground(spec)
    from mmspec.ground import decode_state
    states = [decode_state(g, s) for s in reachable(g)]
    assert {"x": 1, "y": 2, "p.pc": "done"} in states
    assert len(states) == 2


def test_writer_pref_two_steps(tmp_path: Path) -> None:
    """Writer W: before queueing, queued, holding, done; reader R: before, holding, done.
    Exclusion removes (holding, holding); a reader cannot start while W is queued but may
    already hold it: 3 + 3 + 2 + 3 = 11 states. Without writer_pref W has no queued state:
    3 + 2 + 3 = 8."""
    text = """
rwsem L{pref}
process W {{ w: down_write(L)
  up_write(L) }}
process R {{ down_read(L)
  up_read(L) }}
"""
    spec = load(tmp_path, text.format(pref=" writer_pref"))
    q, acq = transition(spec, "W.w"), transition(spec, "W.w.acq")
    assert acq.label == "w.acq" and q.label == "w"
    assert {u.target for u in q.updates} == {ir.VarRef("L.queued"), ir.VarRef("W.pc")}
    assert acq.acquires == (ir.LockAcquire("L", None, "write"),)
    assert any(c.kind == "deadlock" and c.when == "reach" for c in acq.checks)
    lk = spec.locks[0]
    assert (lk.kind, lk.owner_var, lk.readers_var, lk.waiting_var, lk.writer_pref) == (
        "rwsem", "L.owner", "L.readers", "L.queued", True)
    assert spec.variable("L.owner").type == ir.IntType(-1, 1, symmetric="@thread")
    assert count(spec) == 11
    assert count(load(tmp_path, text.format(pref=""))) == 8


def test_trylock(tmp_path: Path) -> None:
    """Per thread: before (a0), after with/without the lock (aT, aF), done (dT, dF).
    No (aT, aT); a failed thread implies the other holds or held it (aT or dT):
    8 pairs without failures + 4 + 4 with one failure = 16 states."""
    spec = load(tmp_path, """
mutex m
process P[i in 1..2] { var ok: bool
  ok := mutex_trylock(m)
  if ok { unlock(m) } }
""")
    t = transition(spec, "P.L4")
    assert t.acquires == (ir.LockAcquire("m", None, "write", 0, blocking=False),)
    assert t.guard == t.at  # never blocks
    assert count(spec) == 16


def test_lock_predicates_and_invariants(tmp_path: Path) -> None:
    text = """
{lock}
process P[i in 1..2] {{
  {acq}
  cs: assert {held}, "not held"
  {rel}
}}
invariant excl: !(P[1]@cs && P[2]@cs)
invariant owner: P[1]@cs => {pred}
"""
    spec = load(tmp_path, text.format(lock="mutex m", acq="lock(m)", held="held(m)",
                                      rel="unlock(m)", pred="held(m, P[1]) && locked(m)"))
    g = ground(spec)
    states = reachable(g)
    for inv in g.invariants:
        assert all(eval_gexpr(inv.expr, s) for s in states), inv.name
    cs = [t for t in g.transitions if t.step == "cs"]
    assert cs and all(all(eval_gexpr(c.cond, s) for s in states if eval_gexpr(t.guard, s))
                      for t in cs for c in t.checks)
    # without the lock, mutual exclusion fails
    spec = load(tmp_path, text.format(lock="var z: bool", acq="skip", held="true",
                                      rel="skip", pred="true"))
    g = ground(spec)
    excl = g.invariants[0]
    assert any(not eval_gexpr(excl.expr, s) for s in reachable(g))


def test_rwsem_predicates(tmp_path: Path) -> None:
    spec = load(tmp_path, """
rwsem L
process P[i in 1..2] {
  down_read(L)
  r: assert held_read(L) && held(L) && !held_write(L)
  up_read(L)
  down_write(L)
  w: assert held_write(L) && held(L) && !held_read(L)
  downgrade_write(L)
  d: assert held_read(L) && !held_write(L)
  up_read(L)
}
""")
    g = ground(spec)
    states = reachable(g)
    for t in g.transitions:
        for c in t.checks:
            if c.when == "fire":
                assert all(eval_gexpr(c.cond, s) for s in states if eval_gexpr(t.guard, s)), \
                    (t.label, c.message)
    assert not deadlocks(spec)


def test_recursive_lock_is_a_reach_check(tmp_path: Path) -> None:
    spec = load(tmp_path, """
mutex m
process p { lock(m)
  again: lock(m) }
""")
    t = transition(spec, "p.again")
    g = ground(spec)
    gt = [x for x in g.transitions if x.step == "again"][0]
    c = gt.checks[0]
    assert (c.kind, c.when) == ("deadlock", "reach")
    hit = [s for s in reachable(g) if eval_gexpr(gt.at, s) and not eval_gexpr(c.cond, s)]
    assert hit and not eval_gexpr(gt.guard, hit[0])
    assert "recursive lock(m)" in t.checks[0].message


def test_release_not_held_is_a_runtime_assertion(tmp_path: Path) -> None:
    """Held on one path only, so not a static error; the check fails when x was 1."""
    spec = load(tmp_path, """
mutex m
var x: 0..1 in {0, 1}
process p {
  if x == 0 { lock(m) }
  unlock(m)
}
""")
    g = ground(spec)
    un = [t for t in g.transitions if t.releases]
    assert un
    states = reachable(g)
    bad = [s for s in states for t in un if eval_gexpr(t.guard, s)
           and not all(eval_gexpr(c.cond, s) for c in t.checks)]
    assert bad
    assert un[0].checks[0].message.startswith("unlock(m) by a thread that does not hold it")


def test_fput_abba_deadlocks(tmp_path: Path) -> None:
    spec = load(tmp_path, """
spec fput_sync_under_mmap_sem
rwsem mmap_lock
mutex i_mutex
var f_count: 0..2 = 2              // references to one struct file

process munmap {                   // unmap the last mapping of the file
        down_write(mmap_lock)
  put:  f_count := f_count - 1
        if f_count == 0 { lock(i_mutex); unlock(i_mutex) }   // __fput -> IMA -> i_mutex
        up_write(mmap_lock)
}
process write_path {               // write(2) faulting on a user buffer
        lock(i_mutex)
  fault: down_read(mmap_lock)
        up_read(mmap_lock)
        unlock(i_mutex)
}
process closer { put: f_count := f_count - 1 }

expect deadlock                    // the rejected design; the fixed spec defers __fput
""")
    assert spec.name == "fput_sync_under_mmap_sem"
    assert spec.expect == ir.Expectation("deadlock")
    dl = deadlocks(spec)
    assert dl and all(s["munmap.pc"] != "done" for s in dl)


def test_nested_subclass_and_lock_arrays(tmp_path: Path) -> None:
    spec = load(tmp_path, """
type Mm = 1..2
rwsem ML[Mm] class mmap_lock
process exec { down_write(ML[1])
  down_write_nested(ML[2], 1)
  up_write(ML[2])
  up_write(ML[1]) }
""")
    lk = spec.locks[0]
    assert (lk.cls, lk.index_type, lk.subclass_var) == ("mmap_lock", ir.IntType(1, 2), "ML.sub")
    sub = spec.variable("ML.sub")
    assert sub.type == ir.MapType(ir.IntType(1, 2), ir.MapType(
        ir.IntType(0, 0, symmetric="@thread"), ir.IntType(0, 1)))
    t = transition(spec, "exec.L5")
    assert t.acquires[0].subclass == 1 and t.acquires[0].index == ir.Lit(2, ir.IntType(2, 2))
    assert count(spec) == 5


def test_actions_fairness_and_properties(tmp_path: Path) -> None:
    spec = load(tmp_path, """
const MAX = 2
var c: map[1..2] 0..MAX = 0
var x: 0..3
action Inc(i in 1..2) when c[i] < MAX { c'[i] = c[i] + 1 }
action Pick(v in {1, 3}) { x' = v }
fair action Inc
fair strong action Pick
invariant bounded: forall i in 1..2: c[i] <= MAX
helper invariant h: x != 2
property p1: x == 1 leadsto x == 3
property p2: eventually x == 3
property p3: always eventually c[1] == MAX
option deadlock = false
option lockorder = false
expect liveness p1
""")
    inc = transition(spec, "Inc")
    assert inc.params == (ir.Param("i", ir.IntType(1, 2)),)
    assert spec.fairness == (ir.Fairness("weak", action="Inc"),
                             ir.Fairness("strong", action="Pick"))
    assert [(i.name, i.helper) for i in spec.invariants] == [("bounded", False), ("h", True)]
    assert [(lv.name, lv.kind, lv.p is None) for lv in spec.liveness] == [
        ("p1", "leadsto", False), ("p2", "eventually", True),
        ("p3", "always_eventually", True)]
    assert not spec.check_deadlock and not spec.check_lock_order
    assert spec.expect == ir.Expectation("liveness", "p1")
    assert spec.final is None
    g = ground(spec)
    assert len([t for t in g.transitions if t.name == "Pick"]) == 2  # v = 1 and v = 3
    assert count(spec) == 9 * 3  # c in 0..2 x 0..2, x in {0, 1, 3}


def test_initial_values(tmp_path: Path) -> None:
    spec = load(tmp_path, """
type Binfmt = enum { ELF, FLAT }
type Vma = record { pages: 1..2, locked: bool }
var binfmt: Binfmt in {ELF, FLAT}
var ops: map[1..3] 0..2 = 1
var held: map[1..2] set[0..1] = {}
var v: Vma = { locked: true, pages: 2 }
var m: map[1..2] Vma = { pages: 1, locked: false }
var z: 3..5
var s: set[0..2] = {0, 2}
var e: Binfmt
""")
    init = {v.name: v.init for v in spec.variables}
    assert init["binfmt"] == (0, 1)
    assert init["ops"] == ((1, 1, 1),)
    assert init["held"] == ((frozenset(), frozenset()),)
    assert init["v"] == ((2, 1),)
    assert init["m"] == (((1, 0), (1, 0)),)
    assert init["z"] == (3,)
    assert init["s"] == (frozenset({0, 2}),)
    assert init["e"] == (0,)
    assert len(ground(spec).init) == 2


def test_symmetric_type(tmp_path: Path) -> None:
    spec = load(tmp_path, """
symmetric type Tid = 1..2
var owner: 0..2
process P[i in Tid] { owner := i }
""")
    assert spec.symmetric == ("Tid",)
    assert spec.variable("P.pc").type.key == ir.IntType(1, 2, symmetric="Tid")


def test_final_labels(tmp_path: Path) -> None:
    spec = load(tmp_path, """
var x: 0..1
process w final(idle) { idle: await x == 1 }
""")
    g = ground(spec)
    assert eval_gexpr(g.final, g.init[0]) == 1
    assert not deadlocks(spec)


def test_procs_inline_with_prefixed_labels(tmp_path: Path) -> None:
    spec = load(tmp_path, """
rwsem L
proc read_section(l) {
  down_read(l)
  inner: up_read(l)
}
process p { rd: read_section(L)
  again: read_section(L) }
invariant i: p@rd.inner => held_read(L, p)
""")
    assert spec.variable("p.pc").type.members == ("rd", "rd.inner", "again", "again.inner",
                                                  "done")
    g = ground(spec)
    assert all(eval_gexpr(g.invariants[0].expr, s) for s in reachable(g))


def test_nested_procs_keep_the_call_label(tmp_path: Path) -> None:
    # outer's first statement calls mid, whose first statement calls inner: the one step
    # that starts at the call takes the call's label `a` (it used to be 'a.\x00a.\x00a')
    spec = load(tmp_path, """
rwsem L
var x: 0..3 = 0
proc inner(m) { down_write(m) }
proc mid(m) { inner(m)
  m1: x := 1 }
proc outer(m) { mid(m)
  o1: x := 2 }
process p { a: outer(L)
  b: up_write(L) }
""")
    assert spec.variable("p.pc").type.members == ("a", "a.m1", "a.o1", "b", "done")


def test_includes_fill_sources(tmp_path: Path) -> None:
    (tmp_path / "common.mmsi").write_text("const K = 2\ntype T = 0..K\n", encoding="utf-8")
    spec = load(tmp_path, 'include "common.mmsi"\ninclude "common.mmsi"\nvar x: T\n')
    files = [Path(f).name for f, _ in spec.sources]
    assert files == ["t.mms", "common.mmsi"]
    assert spec.variable("x").type == ir.IntType(0, 2)


def test_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.mmsi").write_text('include "b.mmsi"\n', encoding="utf-8")
    (tmp_path / "b.mmsi").write_text('include "a.mmsi"\n', encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load(tmp_path, 'include "a.mmsi"\nvar x: bool\n')
    (d,) = e.value.diagnostics
    assert d.code == "MMS211" and Path(d.span.file).name == "b.mmsi"


def test_unreadable_files(tmp_path: Path) -> None:
    for path, code in [(tmp_path / "missing.mms", "MMS100"), (tmp_path, "MMS100")]:
        with pytest.raises(SpecError) as e:
            load_spec(str(path))
        assert e.value.diagnostics[0].code == code
    bad = tmp_path / "bad.mms"
    bad.write_bytes(b"var x: bool\n\xff\n")
    with pytest.raises(SpecError) as e:
        load_spec(str(bad))
    assert e.value.diagnostics[0].code == "MMS101"


def test_lock_array_with_state_dependent_index(tmp_path: Path) -> None:
    """The instance comes from a local: the step gets a parameter for it, selected by a
    control condition. Per thread: before pick (v 0), picked 0/1, holding m[0]/m[1], done
    0/1 = 7; two threads cannot hold the same instance: 49 - 2 = 47 states."""
    spec = load(tmp_path, """
mutex m[0..1]
process P[i in 1..2] { var v: 0..1
  pick v in 0..1
  lock(m[v])
  unlock(m[v]) }
""")
    t = transition(spec, "P.L5")
    assert [p.name for p in t.params] == ["i", "m_index"]
    assert t.acquires[0].index == ir.ParamRef("m_index")
    assert count(spec) == 47


def test_properties_read_locals_and_included_spec_names_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "lib.mmsi").write_text("spec library\nconst K = 1\n", encoding="utf-8")
    spec = load(tmp_path, """spec main
include "lib.mmsi"
var x: 0..1
process P[i in 1..2] { var n: 0..1
  n := K }
process Q { var m: 0..1
  m := x }
invariant i: (P[1]@done => P[1].n == K) && (Q@done => Q.m == 0)
""")
    assert spec.name == "main"
    g = ground(spec)
    assert all(eval_gexpr(g.invariants[0].expr, s) for s in reachable(g))


def test_static_release_check_counts_recursive_acquires(tmp_path: Path) -> None:
    """lock; lock; unlock; unlock: the second lock self-deadlocks at run time; the static
    check (MMS311) must not flag the releases after it. Three releases would be flagged."""
    body = "mutex m\nprocess p {\n  lock(m)\n  lock(m)\n  unlock(m)\n  unlock(m)\n%s}\n"
    load(tmp_path, body % "")
    with pytest.raises(SpecError) as e:
        load(tmp_path, body % "  unlock(m)\n")
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("MMS311", 7)]


def test_one_thread_process_array_locals_are_maps(tmp_path):
    """Regression: a local of `process p[i in 1..1]` was initialised as a scalar."""
    from mmspec.frontend import load_spec
    from mmspec.ground import ground
    from tests.test_ground import reachable

    f = tmp_path / "one.mms"
    f.write_text("process p[i in 1..1] {\n    var n: 0..2 = 1\n  a: n := n + 1\n}\n")
    spec = load_spec(str(f))
    assert spec.variable("p.n").init == ((1,),)
    # n = 1 at a, then n = 2 at done: two states
    assert len(reachable(ground(spec))) == 2
