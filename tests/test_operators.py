"""The operator table (mmspec/operators.py) and docs/architecture.md's "How to add an
operator", followed once: a toy operator `absdiff(a, b) = |a - b|` is registered through the
checklist's steps (the table entry, then one form per engine) and explicit, vector, bmc and
the reference evaluator agree on a tiny spec that uses it, against hand-derived figures.
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Iterator, cast, get_args

import numpy as np
import pytest
import z3  # type: ignore[import-untyped]

from checker.explicit import pyexpr
from checker.liveness_eval import compile_gexpr
from checker.options import CheckOptions
from checker.symbolic import zexpr
from checker import npops
from checker.vector import codegen
from mmspec import ir, operators
from mmspec.frontend import load_spec
from mmspec.ground import GLit, GOp, GroundSystem, GSlot, decode_state, eval_gexpr, ground

ENGINE_FORMS: dict[str, dict[str, Any]] = {
    "explicit (checker/explicit/pyexpr.py PY_FORMS)": pyexpr.PY_FORMS,
    "vector masks (checker/vector/codegen.py NP_FORMS)": codegen.NP_FORMS,
    "vector kernels, initial states (checker/npops.py KERNEL_FORMS)": npops.KERNEL_FORMS,
    "bmc/kind/pdr (checker/symbolic/zexpr.py Z3_FORMS)": zexpr.Z3_FORMS,
}


@pytest.mark.parametrize("where", sorted(ENGINE_FORMS))
def test_every_engine_has_a_form_for_exactly_the_ground_operators(where: str) -> None:
    assert set(ENGINE_FORMS[where]) == operators.ground_ops()


def test_the_table_lists_exactly_the_ir_operator_names() -> None:
    assert set(get_args(operators.OpName)) == set(operators.OPERATORS)
    for name, o in operators.OPERATORS.items():
        assert o.name == name
        assert not o.ground or o.fn is not None, name  # the reference value of a ground op


def test_the_reference_evaluator_follows_the_table_on_partial_operators() -> None:
    # floor division and modulo (Python's, the divisor's sign), x / 0 and x % 0 are the
    # placeholder 0; a shift count outside 0..62 gives 0 (each is a `domain` read condition)
    cases = [("div", -7, 2, -4, True), ("mod", -7, 2, 1, True), ("mod", 7, -2, -1, True),
             ("div", 5, 0, 0, False), ("mod", 5, 0, 0, False), ("shl", 1, 62, 1 << 62, True),
             ("shl", 1, 63, 0, False), ("shr", -8, 1, -4, True), ("shr", 8, -1, 0, False),
             ("add", 2, 3, 5, True)]
    for op, a, b, want, defined in cases:
        e = GOp(cast(operators.OpName, op), (GLit(a), GLit(b)))
        assert eval_gexpr(e, ()) == want, (op, a, b)
        assert operators.get(op).defined((a, b)) == defined, (op, a, b)


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_bit_operators_in_an_initial_predicate(tmp_path: Path, engine: str) -> None:
    """Regression: the vectorised initial-state search had its own operator list without
    the bit operators (an internal error); it now reads the shared numpy forms. Initial x:
    even and x >> 1 != 3, so {0, 2, 4}; Inc reaches every x in 0..7 (8 states), the farthest
    from an initial state being 7, three steps from 4 (depth 3)."""
    from mmspec.cli import _run_engine
    path = tmp_path / "bits.mms"
    path.write_text("""spec BitInit
option deadlock = false
var x: 0..7
initial Init: (x & 1) == 0 && (x >> 1) != 3
action Inc when x < 7 { x' = x + 1 }
""")
    result = _run_engine(engine, ground(load_spec(str(path))), CheckOptions())
    assert result.engine == engine and not result.violations
    assert (result.stats.distinct_states, result.stats.depth) == (8, 3)


def _forms_agree(op: str, vals: tuple[int, ...], ctx: z3.Context) -> None:
    """One operator on literal operands through every reader of the table and every engine
    form: all must equal the table's value (the reference)."""
    name = cast(operators.OpName, op)
    o = operators.get(op)
    sort = "bool" if o.typing == "logic" else "int"
    slots = tuple(GSlot(i, sort) for i in range(len(vals)))
    e = GOp(name, slots)
    want = int(o.apply(*vals))
    assert eval_gexpr(e, vals) == want
    assert int(compile_gexpr(e)(vals)) == want  # liveness
    env = {f"x{i}": v for i, v in enumerate(vals)}
    assert int(eval(pyexpr.py(e), env)) == want  # explicit: its generated text
    if abs(want) <= 1 << 62:  # int64 lanes: the vector engine refuses specs that leave them
        coerce, fn = npops.KERNEL_FORMS[op]
        arrays = [np.array([v], dtype=np.int64) for v in vals]
        assert int(fn([coerce(a) for a in arrays])[0]) == want  # vector kernels, init states
        form = codegen.NP_FORMS[op]
        names = {f"a{i}": (a != 0 if form.args == "b" else a) for i, a in enumerate(arrays)}
        text = form.text(list(names))
        ns = {"np": np, "_div": npops.div, "_mod": npops.mod, "_shl": npops.shl,
              "_shr": npops.shr}
        assert int(np.asarray(eval(text, {**ns, **names}))[0]) == want  # vector masks
    for arith in (zexpr.IntArith(ctx), zexpr.BvArith(ctx, 72)):
        state = [arith.val(v) for v in vals]
        term = zexpr.Translator(arith, state).term(e)
        got = z3.simplify(arith.to_int(term))
        assert arith.number(got) == want, (arith.name, op, vals)  # bmc, kind, pdr


def test_every_form_of_every_ground_operator_computes_the_table_value() -> None:
    ctx = z3.Context()
    ints = (-9, -1, 0, 2, 7, 62, 63)  # signs, zero, the last shift count and one past it
    for op in sorted(operators.ground_ops()):
        o = operators.get(op)
        domain = (0, 1) if o.typing == "logic" else ints
        arity = 1 if o.arity == 1 else 2
        for vals in itertools.product(domain, repeat=arity):
            _forms_agree(op, vals, ctx)


# --------------------------------------------------------------------------- the toy operator

TOY = "absdiff"


def _toy_bounds(rs: Any) -> tuple[int, int]:
    (a, b), (c, d) = rs
    lo = max(0, c - b, a - d)  # 0 when the ranges overlap, else the gap between them
    return lo, max(abs(b - c), abs(a - d))


@pytest.fixture
def absdiff() -> Iterator[None]:
    """docs/architecture.md "How to add an operator", steps 1-3, undone afterwards."""
    name = cast(operators.OpName, TOY)
    # step 1: its entry in the table (a call form, like min and max: no grammar change)
    operators.register(operators.Operator(
        name, 2, TOY, "call", 99, "none", "arith", "int", lambda a, b: abs(a - b),
        bounds=_toy_bounds))
    # step 2: one form per engine, each with the entry's exact value
    pyexpr.PY_FORMS[TOY] = lambda op, a, f, ctx: (
        f"abs({pyexpr.py(a[0], f)} - {pyexpr.py(a[1], f)})")
    codegen.NP_FORMS[TOY] = codegen.NpForm("i", lambda xs: f"np.abs({xs[0]} - {xs[1]})", "i")
    npops.KERNEL_FORMS[TOY] = (npops.as_int, lambda v: np.abs(np.subtract(v[0], v[1])))
    zexpr.Z3_FORMS[TOY] = zexpr._z3_arith(
        lambda v: z3.If(v[0] >= v[1], v[0] - v[1], v[1] - v[0]))
    try:
        yield
    finally:
        for forms in ENGINE_FORMS.values():
            forms.pop(TOY, None)
        operators.unregister(TOY)


def _toy_spec(tmp_path: Path, bound: int) -> ir.Spec:
    """x and y count up from 0 to 3; y may only step while |x - y| < 2.

    Hand-derived reachable states: y reaches v >= 1 by a step from v - 1 taken when
    |x' - (v - 1)| < 2 for the x' of that moment, i.e. x' in v-2..v; x only grows, so (x, v)
    is reachable iff x >= max(0, v - 2). y = 0, 1, 2: every x in 0..3 (4 + 4 + 4); y = 3:
    x in 1..3 (3). 15 states of the 16; (0, 3) is not one. The largest |x - y| is 3, at (3, 0)
    only, reached by IncX three times (no shorter path: x grows by 1 per step)."""
    path = tmp_path / "toy.mms"
    path.write_text(f"""spec ToyAbsdiff
option deadlock = false
const GAP = absdiff(1, 4)
var x: 0..3 = 0
var y: 0..3 = 0
action IncX when x < 3 {{ x' = x + 1 }}
action IncY when y < 3 && absdiff(x, y) < 2 {{ y' = y + 1 }}
invariant Close: absdiff(x, y) <= {bound}
invariant ConstantFolded: GAP == 3
""")
    return load_spec(str(path))


def _reference_bfs(system: GroundSystem) -> set[tuple[int, ...]]:
    """Reachable states by `eval_gexpr` alone (the reference semantics)."""
    seen = set(system.init)
    todo = list(system.init)
    while todo:
        s = todo.pop()
        for t in system.transitions:
            if eval_gexpr(t.guard, s):
                n = list(s)
                for k, e in t.updates:
                    n[k] = eval_gexpr(e, s)
                if tuple(n) not in seen:
                    seen.add(tuple(n))
                    todo.append(tuple(n))
    return seen


@pytest.mark.usefixtures("absdiff")
def test_a_toy_operator_agrees_with_the_reference_evaluator(tmp_path: Path) -> None:
    system = ground(_toy_spec(tmp_path, 2))
    reach = _reference_bfs(system)
    pairs = {(d["x"], d["y"]) for d in (decode_state(system, s) for s in reach)}
    assert pairs == {(x, y) for x in range(4) for y in range(4)} - {(0, 3)}  # 15: see above
    close = next(i.expr for i in system.invariants if i.name == "Close")
    for s in reach:
        d = decode_state(system, s)
        x, y = cast(int, d["x"]), cast(int, d["y"])
        assert eval_gexpr(close, s) == int(abs(x - y) <= 2)
    folded = next(i.expr for i in system.invariants if i.name == "ConstantFolded")
    assert folded == GLit(1, "bool")  # absdiff(1, 4) == 3 folded by the table's value


@pytest.mark.usefixtures("absdiff")
@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_a_toy_operator_gives_the_hand_derived_state_count(tmp_path: Path, engine: str
                                                           ) -> None:
    from mmspec.cli import _run_engine
    result = _run_engine(engine, ground(_toy_spec(tmp_path, 3)), CheckOptions())
    assert result.engine == engine and not result.violations
    assert result.stats.distinct_states == 15


@pytest.mark.usefixtures("absdiff")
@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_a_toy_operator_gives_the_same_violation_everywhere(tmp_path: Path, engine: str
                                                            ) -> None:
    from mmspec.cli import _run_engine
    result = _run_engine(engine, ground(_toy_spec(tmp_path, 2)), CheckOptions(depth=5))
    assert result.engine == engine
    (v,) = result.violations
    assert v.property == "Close"
    assert [(s.state["x"], s.state["y"]) for s in v.trace.steps] == [
        (0, 0), (1, 0), (2, 0), (3, 0)]


# --------------------------------------------------------------------------- surface syntax


def _parse(text: str) -> Any:
    from mmspec import syntax as S
    from mmspec.parser import parse_text
    (d,) = [d for d in parse_text(f"spec T\ndef D(a, b, c) = {text}\n", "t.mms").decls
            if isinstance(d, S.DefDecl)]
    return d.body


def _shape(e: Any) -> Any:
    return (e.op, _shape(e.left), _shape(e.right)) if hasattr(e, "left") else e.id


def test_the_tables_precedence_and_associativity_are_the_grammars() -> None:
    """Every pair of infix operators of the table, written `a S1 b S2 c`, parses as the
    entries' precedence and associativity say (mmspec/grammar.lark is what parses)."""
    from mmspec.diagnostics import SpecError
    infix = [o for o in operators.OPERATORS.values() if o.syntax == "infix"]
    assert {o.rule for o in infix} == {r for r, o in operators.by_rule().items()
                                       if o.syntax == "infix"}
    for o1, o2 in itertools.product(infix, repeat=2):
        text = f"a {o1.symbol} b {o2.symbol} c"
        left, right = (o2.name, (o1.name, "a", "b"), "c"), (o1.name, "a", (o2.name, "b", "c"))
        if o1.precedence != o2.precedence:
            assert _shape(_parse(text)) == (left if o1.precedence > o2.precedence
                                            else right), text
        elif o1.assoc == o2.assoc == "left":
            assert _shape(_parse(text)) == left, text
        elif o1.assoc == "right":  # `a => b <=> c`: the right operand is any same-level one
            assert _shape(_parse(text)) == right, text
        else:  # non-associative: a chain is an error
            with pytest.raises(SpecError):
                _parse(text)
