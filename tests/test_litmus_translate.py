"""`mmspec litmus`: the translator on hand-written litmus snippets, and its errors.

The expected .mms texts below are written by hand from the translation rules in
docs/cli.md ("Litmus tests"), not taken from the translator's output.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mmspec import cli
from mmspec.diagnostics import SpecError
from mmspec.litmus import parse_litmus, translate_text

MP = textwrap.dedent("""\
    C MP+hand

    (*
     * Result: Sometimes
     *)

    {
    \tint x;
    \tint y=1;
    }

    P0(int *x, int *y)
    {
    \tWRITE_ONCE(*x, 1);
    \tsmp_wmb();
    \tWRITE_ONCE(*y, 2);
    }

    P1(int *x, int *y) // the reader
    {
    \tint r0;
    \tint r1;

    \tr0 = READ_ONCE(*y);
    \tif (r0 == 2)
    \t\tr1 = smp_load_acquire(x);
    }

    exists (1:r0=2 /\\ 1:r1=0) (* the bad outcome *)
    """)

# By hand: literals 0, 1, 2 give Val = 0..2; x and y are memory; registers start at 0;
# `if (r0 == 2)` keeps its test; the exists clause is guarded by both threads being done;
# Sometimes means the invariant is expected to be violated.
MP_MMS = """\
// MP+hand: a herd7 C litmus test translated by `mmspec litmus`.
// source: kernel/MP+hand.litmus @ 0000
// LKMM Result: Sometimes
spec MP_hand
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 1

process P0 {
    WRITE_ONCE(x, 1)
    smp_wmb()
    WRITE_ONCE(y, 2)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(y)
    if (r0 == 2) {
        r1 := smp_load_acquire(x)
    }
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 2 && P1.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
"""


def test_message_passing_snippet_translates_as_written_by_hand() -> None:
    assert translate_text(MP, "MP+hand.litmus", "kernel/MP+hand.litmus @ 0000") == MP_MMS


POINTERS = textwrap.dedent("""\
    C ptr+hand
    (* Result: Never *)
    { int *p=y; int x; int y; }
    P0(int *x, int **p) { *x = 1; rcu_assign_pointer(*p, x); }
    P1(int *x, int **p) {
    \tint *r0; int r1;
    \tr0 = rcu_dereference(*p);
    \tr1 = READ_ONCE(*r0);
    }
    ~exists (1:r0=x /\\ 1:r1=0)
    """)

# By hand: locations get addresses in order of first declaration, p=1, x=2, y=3; p starts
# pointing at y (3); `rcu_assign_pointer(*p, x)` stores x's address 2; the read through r0
# becomes one branch per location whose address is taken (x, then y, in declaration
# order), else an assertion; `~exists` is checked like `exists`, Never gives `expect ok`.
POINTERS_MMS = """\
// ptr+hand: a herd7 C litmus test translated by `mmspec litmus`.
// source: ptr.litmus
// LKMM Result: Never
spec ptr_hand
option memory = lkmm

type Val = 0..3
// addresses: &x == 2, &y == 3 (0 is NULL)
var p: Val = 3
var x: Val = 0
var y: Val = 0

process P0 {
    x := 1
    rcu_assign_pointer(p, 2)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := rcu_dereference(p)
    if r0 == 2 {   // r0 points to x
        r1 := READ_ONCE(x)
    } else if r0 == 3 {   // r0 points to y
        r1 := READ_ONCE(y)
    } else {
        assert false, "r0 points to no location"
    }
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 2 && P1.r1 == 0))
expect ok   // LKMM: Never
"""


def test_pointer_snippet_reads_through_a_branch_per_location() -> None:
    assert translate_text(POINTERS, "ptr.litmus") == POINTERS_MMS


def test_header_result_and_final_condition_are_parsed() -> None:
    t = parse_litmus(MP, "MP+hand.litmus")
    assert (t.name, t.result, t.quantifier) == ("MP+hand", "Sometimes", "exists")
    assert [th.index for th in t.threads] == [0, 1]
    assert parse_litmus(POINTERS, "p.litmus").quantifier == "~exists"


def test_forall_and_filter() -> None:
    src = textwrap.dedent("""\
        C F
        (* Result: Always *)
        {}
        P0(int *x) { WRITE_ONCE(*x, 1); }
        filter (x=1)
        forall (x=1 \\/ ~(x!=0))
        """)
    out = translate_text(src, "f.litmus")
    assert "invariant forall_holds: (P0@done && x == 1) => (x == 1 || !(x != 0))" in out
    assert "expect ok   // LKMM: Always" in out


def _error(src: str) -> tuple[str, int, int, str, tuple[str, ...]]:
    with pytest.raises(SpecError) as info:
        translate_text(src, "bad.litmus")
    d = info.value.diagnostics[0]
    return d.code, d.span.line, d.span.col, d.message, d.notes


HEAD = "C bad\n{}\n"


@pytest.mark.parametrize("body, want", [
    # a missing ';' before the closing brace: line 3, the '}' at column 30
    ("P0(int *x) { WRITE_ONCE(*x, 1) }\nexists (x=1)\n", ("MMS103", 3, 32)),
    # a primitive mmspec lacks is named, at its call
    ("P0(int *x) { smp_mb__after_unlock_lock(); }\nexists (x=1)\n", ("MMS207", 3, 14)),
    # loops are not translated
    ("P0(int *x) { while (1) { } }\nexists (x=1)\n", ("MMS315", 3, 14)),
    # a register named like an .mms keyword cannot reach the generated text
    ("P0(int *x) { int var; var = 1; }\nexists (x=1)\n", ("MMS107", 3, 18)),
    # the final condition names a register the thread does not have
    ("P0(int *x) { int r0; r0 = READ_ONCE(*x); }\nexists (0:r9=1)\n", ("MMS204", 4, 9)),
    # a stray character
    ("P0(int *x) { WRITE_ONCE(*x, 1); $ }\nexists (x=1)\n", ("MMS102", 3, 33)),
    # a store to a location without '*'
    ("P0(int *x) { x = 1; }\nexists (x=1)\n", ("MMS315", 3, 14)),
    # no final condition
    ("P0(int *x) { WRITE_ONCE(*x, 1); }\n", ("MMS104", 4, 1)),
])
def test_malformed_litmus_is_a_coded_error_at_its_position(body: str,
                                                           want: tuple[str, int, int]) -> None:
    code, line, col, _msg, _notes = _error(HEAD + body)
    assert (code, line, col) == want


def test_unsupported_primitive_error_names_it() -> None:
    _, _, _, msg, notes = _error(HEAD + "P0(int *x) { smp_mb__after_unlock_lock(); }\n"
                                 "exists (x=1)\n")
    assert "smp_mb__after_unlock_lock" in msg and notes


def test_unterminated_header_comment() -> None:
    code, line, col, _, _ = _error("C bad\n(* Result: Never\n{}\n")
    assert (code, line, col) == ("MMS104", 2, 1)


def test_cli_renders_the_error_with_a_caret_and_exits_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.litmus"
    bad.write_text(HEAD + "P0(int *x) { smp_mb__after_unlock_lock(); }\nexists (x=1)\n")
    assert cli.main(["litmus", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:14: error[MMS207]: 'smp_mb__after_unlock_lock' has no mmspec " \
           "counterpart" in err
    assert "^^^^" in err and "Traceback" not in err
    assert cli.main(["litmus", str(tmp_path / "missing.litmus")]) == 2
    assert "error[MMS100]" in capsys.readouterr().err


def test_cli_writes_the_spec(tmp_path: Path) -> None:
    src = tmp_path / "MP+hand.litmus"
    src.write_text(MP)
    out = tmp_path / "MP+hand.mms"
    assert cli.main(["litmus", str(src), "-o", str(out), "--origin",
                     "kernel/MP+hand.litmus @ 0000"]) == 0
    assert out.read_text() == MP_MMS


def _check(path: Path, model: str, engine: str) -> dict:
    import contextlib
    import io
    import json

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli.main(["check", "--quiet", "--format", "json", "--engine", engine,
                  "--memory-model", model, str(path)])
    return json.loads(out.getvalue())


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_the_translated_snippet_checks_as_derived_by_hand(tmp_path: Path, engine: str) -> None:
    """MP_MMS under sc: P0 has pc 0..3 (x = 1 from pc 1, y = 2 at pc 3; y starts at 1).
    P1 not started: 4 states (P0's pc). P1 has read y: r0 = 1 if read at pc 0..2, after which
    P0 runs on (4 states), or r0 = 2 at pc 3 (1 state). P1 done: r0 = 1 takes the empty
    else step, r1 = 0 (4 states), r0 = 2 reads x = 1 (1 state). 4 + 5 + 5 = 14 states, and
    the outcome r0 == 2 && r1 == 0 is unreachable. Under lkmm it is reachable: the control
    dependency does not order the two loads and the acquire orders only what follows it."""
    spec = tmp_path / "mp.mms"
    spec.write_text(MP_MMS)
    sc = _check(spec, "sc", engine)
    assert (sc["result"], sc["distinct_states"]) == ("ok", 14)
    lk = _check(spec, "lkmm", engine)
    assert (lk["result"], lk["property"]) == ("violation", "no_exists")
