"""The kernel's atomic_t, refcount_t, cmpxchg and bit operations (mmspec/kernelapi.py).

Each operation is run as one step of a one-thread spec from many initial values, evaluated by
the independent reference evaluator (tests/refeval.py: no grounding), and compared with a
Python transcription of the kernel's C (include/linux/atomic, include/linux/refcount.h,
lib/refcount.c, asm-generic/bitops) written here, not derived from the table."""
from __future__ import annotations

from typing import Callable

import pytest

from mmspec import kernelapi
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from tests.refeval import Model

INT_MAX = 2**31 - 1
VALUES = (-2, -1, 0, 1, 2, 3, 5)
OLDS = (0, 1, 3)
ADD_UAF = "refcount_t: addition on 0; use-after-free."
SUB_UAF = "refcount_t: underflow; use-after-free."
DEC_LEAK = "refcount_t: decrement hit 0; leaking memory."
SAT = "refcount_t: saturated; leaking memory."

# (v, o) -> (v', o', result, warnings); result None: the call's result is not taken
Ref = Callable[[int, int], tuple[int, int, object, set[str]]]


def _ovf(old: int, i: int) -> bool:  # `old < 0 || old + i < 0` on a 32-bit int
    return old < 0 or old + i > INT_MAX


def _refcount_add(i: int) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        old = v  # atomic_fetch_add_relaxed
        w = {ADD_UAF} if old == 0 else ({SAT} if _ovf(old, i) else set())
        return v + i, old, None, w
    return f


def _refcount_add_not_zero(i: int, limit: int | None = None) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        old = v
        if old == 0:
            return v, old, False, set()
        if limit is not None and i > limit - old:
            return v, old, False, set()
        return v + i, old, True, ({SAT} if _ovf(old, i) else set())
    return f


def _refcount_sub_and_test(i: int) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        old = v  # atomic_fetch_sub_release
        if old > 0 and old == i:
            return v - i, old, True, set()
        return v - i, old, False, ({SUB_UAF} if old <= 0 or old - i < 0 else set())
    return f


def _refcount_dec(v: int, o: int) -> tuple[int, int, object, set[str]]:
    return v - 1, v, None, ({DEC_LEAK} if v <= 1 else set())


def _try_cmpxchg(new: int) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        r = v  # cmpxchg(v, *old, new)
        ok = r == o
        return (new if ok else v), (o if ok else r), ok, set()
    return f


def _add_unless(a: int, u: int) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        return (v + a, o, True, set()) if v != u else (v, o, False, set())
    return f


def _dec_if_positive(v: int, o: int) -> tuple[int, int, object, set[str]]:
    dec = v - 1
    return (v if dec < 0 else dec), o, dec, set()


def _keep_o(ref: Ref) -> Ref:
    """The form without `&old`: the same, and o untouched."""
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        nv, _, res, w = ref(v, o)
        return nv, o, res, w
    return f


def _plain(fn: Callable[[int], int], res: Callable[[int, int], object] | None = None) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        return fn(v), o, (None if res is None else res(v, fn(v))), set()
    return f


def _bit(nr: int, how: str, returns: bool) -> Ref:
    def f(v: int, o: int) -> tuple[int, int, object, set[str]]:
        m = 2**nr
        had = (v // m) % 2 == 1 if v >= 0 else bool((v & m))
        new = {"set": v | m, "clear": v & ~m, "change": v ^ m}[how]
        return new, o, (had if returns else None), set()
    return f


# (call text, result variable's type or None, reference)
CASES: list[tuple[str, str | None, Ref]] = [
    ("atomic_inc(&v)", None, _plain(lambda v: v + 1)),
    ("atomic_dec(&v)", None, _plain(lambda v: v - 1)),
    ("atomic_add(3, &v)", None, _plain(lambda v: v + 3)),
    ("atomic_sub(2, &v)", None, _plain(lambda v: v - 2)),
    ("atomic_andnot(1, &v)", None, _plain(lambda v: v & ~1)),
    ("res := atomic_inc_return(&v)", "int", _plain(lambda v: v + 1, lambda v, n: n)),
    ("res := atomic_sub_return_release(2, &v)", "int", _plain(lambda v: v - 2, lambda v, n: n)),
    ("res := atomic_fetch_add(3, &v)", "int", _plain(lambda v: v + 3, lambda v, n: v)),
    ("res := atomic_long_fetch_or_acquire(4, &v)", "int", _plain(lambda v: v | 4,
                                                                 lambda v, n: v)),
    ("res := atomic_fetch_dec_relaxed(&v)", "int", _plain(lambda v: v - 1, lambda v, n: v)),
    ("res := atomic_read(&v)", "int", _plain(lambda v: v, lambda v, n: v)),
    ("atomic_set(&v, 4)", None, _plain(lambda v: 4)),
    ("res := atomic_dec_and_test(&v)", "bool", _plain(lambda v: v - 1, lambda v, n: n == 0)),
    ("res := atomic_inc_and_test(&v)", "bool", _plain(lambda v: v + 1, lambda v, n: n == 0)),
    ("res := atomic_sub_and_test(2, &v)", "bool", _plain(lambda v: v - 2, lambda v, n: n == 0)),
    ("res := atomic_add_negative(-2, &v)", "bool", _plain(lambda v: v - 2, lambda v, n: n < 0)),
    ("res := atomic_inc_not_zero(&v)", "bool", _add_unless(1, 0)),
    ("res := atomic_add_unless(&v, 2, 3)", "bool", _add_unless(2, 3)),
    ("res := atomic_dec_if_positive(&v)", "int", _dec_if_positive),
    ("res := atomic_xchg(&v, 4)", "int", _plain(lambda v: 4, lambda v, n: v)),
    ("res := atomic_cmpxchg(&v, 1, 4)", "int", _plain(lambda v: 4 if v == 1 else v,
                                                      lambda v, n: v)),
    ("res := try_cmpxchg(&v, &o, 4)", "bool", _try_cmpxchg(4)),
    ("res := atomic_try_cmpxchg_acquire(&v, &o, 2)", "bool", _try_cmpxchg(2)),
    ("refcount_inc(&v)", None, _keep_o(_refcount_add(1))),
    ("refcount_add(2, &v)", None, _keep_o(_refcount_add(2))),
    ("__refcount_inc(&v, &o)", None, _refcount_add(1)),
    ("__refcount_add(2, &v, &o)", None, _refcount_add(2)),
    ("res := refcount_inc_not_zero(&v)", "bool", _keep_o(_refcount_add_not_zero(1))),
    ("res := __refcount_add_not_zero(2, &v, &o)", "bool", _refcount_add_not_zero(2)),
    ("res := __refcount_inc_not_zero_limited_acquire(&v, &o, 3)", "bool",
     _refcount_add_not_zero(1, 3)),
    ("res := __refcount_add_not_zero_limited_acquire(2, &v, &o, 3)", "bool",
     _refcount_add_not_zero(2, 3)),
    ("refcount_dec(&v)", None, _keep_o(_refcount_dec)),
    ("__refcount_dec(&v, &o)", None, _refcount_dec),
    ("res := refcount_dec_and_test(&v)", "bool", _keep_o(_refcount_sub_and_test(1))),
    ("res := __refcount_sub_and_test(2, &v, &o)", "bool", _refcount_sub_and_test(2)),
    ("res := __refcount_dec_and_test(&v, &o)", "bool", _refcount_sub_and_test(1)),
    ("set_bit(1, &v)", None, _bit(1, "set", False)),
    ("clear_bit(0, &v)", None, _bit(0, "clear", False)),
    # __change_bit is two steps, the kernel's load and store: tests/test_kernel_while.py
    ("res := test_and_set_bit(1, &v)", "bool", _bit(1, "set", True)),
    ("res := test_and_clear_bit(0, &v)", "bool", _bit(0, "clear", True)),
    ("res := test_bit(2, &v)", "bool", lambda v, o: (v, o, bool(v & 4), set())),
]


def _spec(call: str, res_type: str | None) -> str:
    vals = ", ".join(str(x) for x in VALUES)
    olds = ", ".join(str(x) for x in OLDS)
    res = {"int": "var res: -20..20 = 0", "bool": "var res: bool = false", None: ""}[res_type]
    return (f"var v: -20..20 in {{{vals}}}\nvar o: -20..20 in {{{olds}}}\n{res}\n"
            f"process p {{\n  s: {call}\n}}\n")


@pytest.mark.parametrize("call, res_type, ref", CASES, ids=[c[0] for c in CASES])
def test_each_operation_is_the_kernels_in_one_step(tmp_path, call: str, res_type: str | None,
                                                   ref: Ref) -> None:
    f = tmp_path / "op.mms"
    f.write_text(_spec(call, res_type))
    spec = load_spec(str(f))
    model = Model(spec)
    steps = [(t, env) for t, env in model.steps if t.process == "p"]
    assert len({t.label for t, _ in steps}) == 1  # one step (its branches share the label)
    names = [v.name for v in spec.variables]
    seen = 0
    for s in model.initial():
        st = dict(zip(names, s))
        v0, o0 = st["v"], st["o"]
        want_v, want_o, want_res, want_warn = ref(v0, o0)
        fired = [(t, model.step(t, env, s)) for t, env in steps]
        fired = [(t, out) for t, out in fired if out.enabled]
        assert len(fired) == 1, (call, v0, o0)
        out = fired[0][1]
        warns = {x.prop for x in out.violations if x.kind == "refcount"}
        assert warns == want_warn, (call, v0, o0)
        assert out.successor is not None, (call, v0, o0, out.violations)
        got = dict(zip(names, out.successor))
        assert (got["v"], got["o"]) == (want_v, want_o), (call, v0, o0, got)
        if want_res is not None:
            assert got["res"] == int(want_res), (call, v0, o0, got)
        seen += 1
    assert seen == len(VALUES) * len(OLDS)


def test_the_table_says_arity_lvalues_return_and_ordering() -> None:
    op = kernelapi.OPS["__refcount_inc_not_zero_limited_acquire"]
    assert (op.args, op.returns, op.ordering, op.atomic) == (("obj", "out", "val"), "bool",
                                                             "acquire", True)
    assert kernelapi.OPS["atomic_add"].args == ("val", "obj")  # the kernel's order: i, v
    assert kernelapi.OPS["refcount_dec_and_test"].acquire_on_success
    assert kernelapi.OPS["atomic_inc_return_relaxed"].ordering == "relaxed"
    assert not kernelapi.OPS["__set_bit"].atomic
    assert {o.family for o in kernelapi.OPS.values()} == {"atomic", "refcount", "cmpxchg",
                                                           "bitops"}


IF_FORM = """
var r: 0..3 = 2
var freed: bool = false
process a { p: if refcount_dec_and_test(&r) { f: freed := true } }
process b { q: if refcount_dec_and_test(&r) { g: freed := true } }
invariant once: true
"""


def test_an_if_condition_call_is_one_step_with_the_decision(tmp_path) -> None:
    """if refcount_dec_and_test(&r) { f: freed := true }: the decrement and the branch choice
    are one step (two transitions for the two branches), the body is the next step. By hand:
    a and b each decrement once (2 -> 1 -> 0); exactly the second one goes on to free. States:
    r=2 initially; after one decrement (a or b first) r=1 with that thread done (2 states);
    after both r=0 with the second at its free step (2 states: which one is second); then
    freed=true, both done (1 state, reached from both). 1 + 2 + 2 + 1 = 6."""
    from checker.options import CheckOptions
    from mmspec.cli import _run_engine
    from mmspec.ground import ground
    f = tmp_path / "if.mms"
    f.write_text(IF_FORM)
    spec = load_spec(str(f))
    labels = {t.label for t in spec.transitions if t.process == "a"}
    assert labels == {"p", "f"}
    res = _run_engine("explicit", ground(spec), CheckOptions())
    assert not res.violations and res.stats.distinct_states == 6


@pytest.mark.parametrize("body, code, words", [
    ("atomic_inc(&v, &v)", "MMS312", "takes 1 argument"),
    ("atomic_add(&v, &v)", "MMS301", "by value"),
    ("atomic_inc(v + 1)", "MMS313", "needs a variable"),
    ("x := atomic_inc(&v)", "MMS301", "returns nothing"),
    ("x := atomic_inc_return(&v) + 1", "MMS315", "not a value"),
    # `while op(..)` is a loop whose every test is the op (tests/test_kernel_while.py); the
    # call as a value inside a larger condition is still refused
    ("while atomic_inc_return(&v) > 1 { skip }", "MMS315", "not a value"),
])
def test_misuse_is_a_coded_error(tmp_path, body: str, code: str, words: str) -> None:
    f = tmp_path / "bad.mms"
    f.write_text(f"var v: 0..3 = 1\nvar x: 0..9 = 0\nprocess p {{\n  s: {body}\n}}\n")
    with pytest.raises(SpecError) as e:
        load_spec(str(f))
    d = e.value.diagnostics[0]
    assert d.code == code and words in d.message, (d.code, d.message)
    assert d.span.line == 4


def test_a_spec_proc_of_the_same_name_wins(tmp_path) -> None:
    f = tmp_path / "own.mms"
    f.write_text("var v: 0..3 = 1\nproc atomic_inc(&x) { x := x + 2 }\n"
                 "process p {\n  s: atomic_inc(v)\n}\ninvariant two: p@done => v == 3\n")
    load_spec(str(f))  # the proc is inlined (v + 2), not the kernel's atomic_inc


def test_docs_kernel_md_lists_every_operation() -> None:
    import pathlib
    import re
    text = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "kernel.md").read_text()
    table = text[text.index("## Every operation"):]
    listed = set(re.findall(r"^\| `([A-Za-z_]\w*)\(", table, re.M))
    assert listed == set(kernelapi.OPS)


def test_the_prelude_ships_with_the_package(tmp_path) -> None:
    """`include "kernel"` from an installed copy: setuptools' build_py (what a wheel holds)
    into a fresh folder, then a spec elsewhere that includes the prelude, run from there."""
    import os
    import subprocess
    import sys
    import shutil
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src, lib = tmp_path / "src", tmp_path / "lib"
    for d in ("mmspec", "checker"):  # a copy, so setuptools' by-products stay out of the tree
        shutil.copytree(os.path.join(root, d), src / d,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for f in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(root, f), src / f)
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "build_py",
                    "-d", str(lib), "-q"], cwd=src, check=True, capture_output=True)
    assert (lib / "mmspec" / "prelude" / "kernel.mms").is_file()
    spec = tmp_path / "elsewhere" / "k.mms"
    spec.parent.mkdir()
    spec.write_text('include "kernel"\nrwsem mmap_lock\n'
                    'process p { a: mmap_write_lock(mmap_lock); mmap_write_unlock(mmap_lock) }\n')
    out = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", str(spec)],
                         cwd=spec.parent, env={**os.environ, "PYTHONPATH": str(lib)},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "every property holds" in out.stdout


LKMM_SPEC = """spec ordering
include "kernel"
option memory = lkmm
var c: atomic_t = 0
process p {
  var x: 0..3
  x := atomic_read(&c)
  x := atomic_inc_return(&c)
  OP
}
"""


@pytest.mark.parametrize("op, refused", [
    ("atomic_inc(&c)", True),            # relaxed RMW: would count as fully ordered
    ("x := atomic_fetch_add_acquire(1, &c)", True),
    ("atomic_set(&c, 1)", False),        # a plain (relaxed) write is modelled as one
    ("x := atomic_add_return(1, &c)", False),  # fully ordered
])
def test_lkmm_refuses_orderings_it_does_not_model(tmp_path, op: str, refused: bool) -> None:
    p = tmp_path / "ordering.mms"
    p.write_text(LKMM_SPEC.replace("OP", op))
    if not refused:
        load_spec(str(p))
        return
    with pytest.raises(SpecError) as e:
        load_spec(str(p))
    (d,) = e.value.diagnostics
    assert d.code == "MMS315" and "not modelled yet" in d.message
    # the same spec under sc is fine
    load_spec(str(p), memory="sc")
