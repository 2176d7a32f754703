"""The text report: what a developer reads in the terminal."""
from __future__ import annotations

from checker.render.diff import Change, clean, diff_states, fmt
from checker.render.text import render_result, render_trace
from checker.result import CheckResult, ExitReason, Stats
from mmspec import ir
from tests.test_render_fixtures import (abba, counter_range, evil, mutex_fixed, mutex_race,
                                        rwsem_readers, spin_lasso)


def test_verdicts() -> None:
    assert render_result(mutex_fixed()).startswith(
        "✓ all 16 distinct states satisfy every property\n")
    assert render_result(mutex_race()).startswith("✗ invariant excl violated\n")
    partial = CheckResult(mutex_fixed().spec, "explicit", ExitReason.STATE_LIMIT, [],
                          Stats(100, 150, 7))
    text = render_result(partial)
    assert text.startswith("? incomplete: state-limit after 100 distinct states")
    assert "raise --max-states" in text


def test_steps_name_thread_label_source_and_only_changes() -> None:
    text = render_result(mutex_race())
    assert "   3. t[1]: unlock   mutex_race.mms:8\n" \
           "      | unlock: unlock(m)              // BUG: released before leaving\n" \
           "      m.owner: 0 (t[1]) -> -1 (free)\n" \
           "      t.pc[1]: unlock -> leave\n" in text
    assert "Violated: invariant excl   mutex_race.mms:12\n      | invariant excl: count <= 1" \
        in text
    assert "  m (mutex): held by t[2]" in text


def test_set_changes_and_reader_holders() -> None:
    text = render_result(rwsem_readers())
    assert "mm.readers: +{1} (+r[2])" in text
    assert "mm (rwsem): read-held by r[1], r[2]" in text
    assert "Failing step: r[1]: check" in text
    # The search stopped at the assertion (depth 2): which steps never fire is unknown, so
    # no list (issue 11: it used to claim "Never fired: r.up"); see test_reports_truth.py.
    assert "Never fired: not computed: search stopped at depth 2" in text
    assert "r.up" not in text.split("Never fired:", 1)[1]


def test_deadlock_cycle_and_lock_order_chain() -> None:
    text = render_result(abba())
    assert "✗ deadlock: no thread can take a step  (expected by the spec)" in text
    assert "  p waits for B, held by q\n  q waits for A, held by p\n" \
           "  wait-for cycle: p -> q -> p" in text
    assert "  A/0 -> B/0: p acquired B/0 while holding A/0 (witness: 2 steps)" in text
    assert "  cycle: A/0 -> B/0 -> A/0" in text
    assert "  witness for A/0 -> B/0:\n     1. p: a1   abba.mms:6\n     2. p: b1   abba.mms:7" \
        in text


def test_range_and_lasso() -> None:
    assert "In step Inc(n=1): x would become 3, outside 0..2" in render_result(counter_range())
    text = render_result(spin_lasso())
    assert "Counterexample: a lasso of 2 steps; steps 1..2 repeat forever\n" \
           "  ┌── the loop starts at state 0\n   0. initial state" in text
    assert "└── back at state 0: the loop repeats forever" in text
    assert "Fairness: waiter" in text


def test_lasso_endings() -> None:
    from checker.render.text import loop_end
    from checker.result import Trace, TraceStep
    a, b = TraceStep({"x": 0}), TraceStep({"x": 1}, "A", "A")
    assert loop_end(Trace((a, b), 1)) == "the run stays in state 1 forever (no fair step is taken)"
    assert loop_end(Trace((a, b, a), 0)) == "back at state 0: the loop repeats forever"
    assert loop_end(Trace((a, b), 0)) == \
        "the next step returns to state 0; the loop repeats forever"


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_result(mutex_race())
    coloured = render_result(mutex_race(), color=True)
    assert "\x1b[31;1m✗ \x1b[0m" in coloured


def test_spec_text_cannot_drive_the_terminal() -> None:
    text = render_result(evil())
    assert "\x01" not in text and "\\x01" in text
    assert clean("a\x1b[31mb\nc") == "a\\x1b[31mb\\x0ac"


def test_diff_per_entry() -> None:
    Rec = ir.RecordType((("pages", ir.IntType(1, 2)), ("locked", ir.BoolType())))
    types = {"v": ir.MapType(ir.IntType(1, 2), Rec), "s": ir.SetType(ir.IntType(0, 3))}
    old = {"v": {1: {"pages": 1, "locked": False}, 2: {"pages": 1, "locked": False}},
           "s": frozenset({0, 1})}
    new = {"v": {1: {"pages": 1, "locked": True}, 2: {"pages": 1, "locked": False}},
           "s": frozenset({1, 3})}
    changes = diff_states(old, new, types)
    assert [c.describe() for c in changes] == ["v[1].locked: false -> true", "s: +{3} -{0}"]
    assert isinstance(changes[0], Change)
    assert fmt({1: frozenset({2}), 2: "idle"}) == "{1: {2}, 2: idle}"


def test_render_trace_alone() -> None:
    r = mutex_race()
    text = render_trace(r.spec, r.violations[0].trace)
    assert text.startswith("Counterexample: 5 steps\n")


def test_lock_arrays_and_queued_writers() -> None:
    from checker.render.locks import lock_states

    T = ir.IntType(1, 2)
    spec = ir.Spec("arr", "arr.mms", (), (), (),
                   locks=(ir.LockInfo("ML", "rwsem", "mmap_lock", "ML.owner", "ML.readers",
                                      "ML.waiting", True, T),),
                   threads=(ir.ThreadInfo(0, "w", None, "w"), ir.ThreadInfo(1, "r", None, "r")))
    state = {"ML.owner": {1: -1, 2: 0}, "ML.readers": {1: frozenset({1}), 2: frozenset()},
             "ML.waiting": {1: 1, 2: 0}}
    got = [(ls.name, ls.describe()) for ls in lock_states(spec, state)]
    assert got == [("ML[1]", "read-held by r (1 writer queued)"),
                   ("ML[2]", "write-held by w")]
