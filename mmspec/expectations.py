"""Choosing a spec's expectation: `expect KIND [NAME] [when COND]`, several per spec.

COND reads constants only, so after -D is applied it folds to true or false and one spec can
hold a buggy/fixed pair (`expect deadlock when BUGGY == 1`, `expect ok when BUGGY == 0`) that a
`-D BUGGY=0..1` sweep checks in one run. The IR keeps the single expectation that applies;
two different ones applying at once is an error, none applying means every property holds.
"""
from __future__ import annotations

from mmspec import ir
from mmspec import syntax as S
from mmspec.consteval import DivByZero, NotConstant, evaluate
from mmspec.diagnostics import Sink, did_you_mean
from mmspec.resolve import Symbols
from mmspec.typecheck import Ctx, Elaborator, ErrType, show_type


def select_expectation(sy: Symbols, el: Elaborator, sink: Sink) -> ir.Expectation:
    """The expectation whose condition holds (all clauses are checked, applying or not)."""
    applying: list[S.ExpectDecl] = []
    for e in sy.expects:
        _check_name(e, sy, sink)
        if e.when is None or _condition_holds(e, el, sink):
            applying.append(e)
    if not applying:
        return ir.Expectation(None)
    first = applying[0]
    for other in applying[1:]:
        if (other.kind, other.name) != (first.kind, first.name):
            sink.error("MMS317", f"contradicting expectations: '{_show(other)}' and "
                       f"'{_show(first)}' both apply", other.span,
                       notes=(f"'{_show(first)}' is at line {first.span.line}; give them "
                              "exclusive 'when' conditions over constants",))
    kind = None if first.kind == "ok" else first.kind
    return ir.Expectation(kind, first.name, span=first.span)


def _show(e: S.ExpectDecl) -> str:
    if e.kind == "assertion" and e.name is not None:
        return f'expect assertion "{e.name}"'
    return f"expect {e.kind}" + (f" {e.name}" if e.name else "")


def _check_name(e: S.ExpectDecl, sy: Symbols, sink: Sink) -> None:
    if e.name is None:
        return
    steps = {n for n, d in sy.properties.items() if d.kind == "always_step"}
    if e.kind == "invariant" and e.name not in sy.invariants and e.name not in steps:
        hint = did_you_mean(e.name, list(sy.invariants))
        sink.error("MMS214", f"expect invariant {e.name}: no such invariant",
                   e.span, expected="an invariant of this spec" +
                   (f" (did you mean '{hint}'?)" if hint else ""))
    elif e.kind == "liveness" and e.name not in sy.properties:
        hint = did_you_mean(e.name, list(sy.properties))
        sink.error("MMS214", f"expect liveness {e.name}: no such property",
                   e.span, expected="a property of this spec" +
                   (f" (did you mean '{hint}'?)" if hint else ""))
    elif e.kind in ("deadlock", "lock-order", "domain", "ok", "context", "use-after-free",
                    "irq-lock", "refcount", "null-deref"):
        sink.error("MMS317", f"expect {e.kind} takes no name", e.span)


def _condition_holds(e: S.ExpectDecl, el: Elaborator, sink: Sink) -> bool:
    """COND folded with the -D values; an ill-typed or state-reading COND is an error (and
    the clause is then treated as not applying, so one mistake gives one diagnostic)."""
    assert e.when is not None
    te = el.expr(e.when, Ctx(where="constant", locals_visible=False))
    if isinstance(te.type, ErrType):
        return False
    if not isinstance(te.type, ir.BoolType):
        sink.error("MMS301", f"the condition of '{_show(e)}' must be bool, not "
                   f"{show_type(te.type)}", e.when.span)
        return False
    try:
        return bool(evaluate(te.expr))
    except NotConstant as nc:
        sink.error("MMS302", f"the condition of '{_show(e)}' must be over constants",
                   nc.span if nc.span.line else e.when.span,
                   expected="constants, literals and enum members (it selects the "
                   "expectation before checking, so it cannot read state variables)")
    except DivByZero as z:
        sink.error("MMS320", f"division by zero in the condition of '{_show(e)}'",
                   z.span if z.span.line else e.when.span)
    return False
