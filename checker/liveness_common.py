"""What the two liveness analyses share: which properties they check and when, constraints
as bits, and the wording of a violation.

checker/liveness.py analyses an explicit state graph (Python adjacency lists),
checker/liveness_arrays.py the vector engine's array graph; both must give the same verdicts
and the same text, so everything that is not about the graph's representation lives here.
"""
from __future__ import annotations

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason
from mmspec import ir
from mmspec.ground import GLiveness, GroundSystem

KINDS = ("leadsto", "eventually", "always_eventually", "eventually_always")
# eventually always P (<>[]P) fails exactly when a fair behaviour visits not-P infinitely
# often: a not-P state in a fair component of the whole graph, or one where stuttering is
# fair. Its analysis is the one of "Q = false" (every state qualifies), shared by all of them.
EVERY_STATE = "every state"


def validate_properties(system: GroundSystem) -> None:
    """Refuse a property the analyses do not know how to check."""
    for prop in system.liveness:
        if prop.kind not in KINDS:
            raise ValueError(f"unknown liveness kind {prop.kind!r} for {prop.name}")
        if prop.kind == "leadsto" and prop.p is None:
            raise ValueError(f"leadsto property {prop.name} has no P")


def liveness_to_check(system: GroundSystem, options: CheckOptions, result: CheckResult) -> bool:
    """Whether an engine's finished safety search should go on to liveness: only when the
    spec has properties, they are wanted, no hard violation was found (lock-order reports
    do not count), and the search was complete (else a note says why it was skipped)."""
    hard = [v for v in result.violations if v.kind != "lock-order"]
    if not system.liveness or not options.liveness or hard:
        return False
    if result.reason != ExitReason.DONE:
        result.notes.append("liveness not checked: the safety search did not finish")
        return False
    return True


def fairness_bits(system: GroundSystem) -> tuple[int, int, list[int]]:
    """Constraint i is bit i: the weak bits, the strong bits, and per transition the bits
    of the constraints it belongs to (shared by the object and the array analyses)."""
    tmask = [0] * len(system.transitions)
    weak = strong = 0
    for i, f in enumerate(system.fairness):
        bit = 1 << i
        if f.kind == "strong":
            strong |= bit
        elif f.kind == "weak":
            weak |= bit
        else:
            raise ValueError(f"unknown fairness kind {f.kind!r} for {f.name}")
        for t in f.transitions:
            tmask[t] |= bit
    return weak, strong, tmask


def message(spec: ir.Spec, lv: ir.Liveness | None, prop: GLiveness, stuttering: bool,
             cycle_len: int, has_fairness: bool) -> str:
    q = _text(spec, lv.q if lv else None) or "Q"
    if prop.kind == "leadsto":
        p = _text(spec, lv.p if lv else None) or "P"
        head = (f"{p} leads to {q} is violated: after reaching {p}, a fair behaviour "
                f"stays out of {q} forever")
    elif prop.kind == "eventually":
        head = f"eventually {q} is violated: a fair behaviour stays out of {q} forever"
    elif prop.kind == "eventually_always":
        head = (f"eventually always {q} is violated: a fair behaviour leaves {q} again "
                f"and again")
    else:
        head = (f"always eventually {q} is violated: from some point on a fair behaviour "
                f"stays out of {q} forever")
    if stuttering and not has_fairness:
        tail = "it stops at the last state; without fairness any thread may stop forever"
    elif stuttering:
        tail = "it stops at the last state; no fair thread or action is enabled there"
    else:
        tail = f"the last {cycle_len} step{'s' if cycle_len != 1 else ''} repeat forever"
    return f"{head} ({tail})"



def _text(spec: ir.Spec, e: ir.Expr | None) -> str | None:
    """The source text of an expression, whitespace collapsed, if its span is known."""
    span = getattr(e, "span", None)
    if span is None or span.line <= 0:
        return None
    text = next((t for f, t in spec.sources if f == span.file), None)
    if text is None:
        return None
    lines = text.splitlines()
    if span.end_line > len(lines) or span.end_line < span.line:
        return None
    if span.line == span.end_line:
        chunk = lines[span.line - 1][span.col - 1:span.end_col - 1]
    else:
        chunk = "\n".join([lines[span.line - 1][span.col - 1:]]
                          + lines[span.line:span.end_line - 1]
                          + [lines[span.end_line - 1][:span.end_col - 1]])
    return " ".join(chunk.split()) or None
