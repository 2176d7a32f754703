"""Honest atomicity: warn where step merging makes a step more atomic than the code.

PlusCal-style merging runs an `if`/`while` test as part of the first statement of the
branch taken. When the test reads shared state and that statement writes shared state, the
model checks-and-acts in one indivisible step where the kernel loads, compares, and only
then stores: a race between the two (another thread changing what was tested) is modelled
away. The same holds for `x := f(...)` whose `return e` reads shared state into a shared
`x` (the load of `e` and the store to `x` are two accesses). Such a step gets MMS350 (an
error under --strict-atomicity), and its transition records the labels it fused so traces
name them.

Shared state is a `var` or a lock; a process's locals, program counters and ghost
variables are not (nobody else reads a local, and a ghost variable is bookkeeping for
properties). An explicit `atomic { }` is the author saying "this is one step" and is never
warned about; a lock acquire is a write of the lock.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from mmspec import ir

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

SHARED_KINDS = frozenset({"state", "lock"})
CODE = "MMS350"


def var_names(e: object, out: set[str] | None = None) -> set[str]:
    """Every variable an IR expression reads."""
    acc: set[str] = set() if out is None else out
    if isinstance(e, ir.VarRef):
        acc.add(e.name)
        return acc
    if isinstance(e, (tuple, list)):
        for x in e:
            var_names(x, acc)
        return acc
    fields = getattr(e, "__dataclass_fields__", None)
    if fields is None or isinstance(e, (ir.Lit, ir.ParamRef, ir.Span)):
        return acc
    for f in fields:
        var_names(getattr(e, f), acc)
    return acc


@dataclass(frozen=True)
class Test:
    """One branch test merged into a step: its lowered condition, label and source."""

    cond: ir.Expr
    label: str
    span: ir.Span
    text: str


def fused_step(tests: Iterable[Test], written: Iterable[str], stmt_label: str,
               stmt_text: str, stmt_span: ir.Span, kinds: Mapping[str, str],
               racy: Callable[[str], bool] = lambda v: True
               ) -> tuple[ir.SpecWarning, tuple[str, ...]] | None:
    """The warning for a step that runs `tests` and then a statement writing `written`
    (variable roots), with the labels it fused; None when the merge hides no race.
    `racy(v)`: can another thread change v between the test and the write? (A variable no
    other thread writes cannot: testing it first is as good as testing it in the step.)"""
    shared_w = sorted({_shown(w) for w in written if kinds.get(w) in SHARED_KINDS})
    if not shared_w:
        return None
    tests = list(tests)
    reading = [(t, sorted({_shown(v) for v in var_names(t.cond)
                           if kinds.get(v) in SHARED_KINDS and racy(v)})) for t in tests]
    reading = [(t, r) for t, r in reading if r]
    if not reading:
        return None
    first, reads = reading[0]
    if stmt_text.startswith(stmt_label + ":"):
        stmt_text = stmt_text[len(stmt_label) + 1:].strip()
    labels = tuple(dict.fromkeys([t.label for t in tests] + [stmt_label]))
    msg = (f"one step tests `{first.text}` (reads {', '.join(reads)}) and runs "
           f"`{stmt_text}` (writes {', '.join(shared_w)}): more atomic than the code")
    notes = (f"fused labels: {', '.join(labels)} (the statement at {stmt_span})",
             "another thread cannot run between the test and the write here, but it can "
             "in the kernel",
             "fix: load into a local first (t := x; if t ...), or `option split_tests = "
             "true`; wrap it in atomic { } only if the kernel does it atomically")
    return ir.SpecWarning(CODE, msg, first.span, notes), labels


def fused_return(value: ir.Expr, dest_roots: Iterable[str], text: str, span: ir.Span,
                 labels: tuple[str, ...], kinds: Mapping[str, str]
                 ) -> tuple[ir.SpecWarning, tuple[str, ...]] | None:
    """`x := f()` whose `return e` loads shared state into a shared `x` in one step."""
    shared_w = sorted({_shown(w) for w in dest_roots if kinds.get(w) in SHARED_KINDS})
    reads = sorted({_shown(v) for v in var_names(value) if kinds.get(v) in SHARED_KINDS})
    if not shared_w or not reads:
        return None
    msg = (f"`{text}` loads {', '.join(reads)} and stores the result to "
           f"{', '.join(shared_w)} in one step: more atomic than the code")
    notes = (f"fused labels: {', '.join(labels)}",
             "fix: return into a local (t := f(...)) and store it in the next statement")
    return ir.SpecWarning(CODE, msg, span, notes), labels


def _shown(var: str) -> str:
    """A lock's variables (`m.owner`, `l.readers`) are shown as the lock."""
    return var.rsplit(".", 1)[0] if var.endswith((".owner", ".readers", ".queued", ".sub",
                                                  ".waiters", ".task", ".done")) \
        else var


def writers(transitions: Iterable[ir.Transition]) -> dict[str, set[str]]:
    """Who writes each variable: a process name, or '@' + an action's name."""
    out: dict[str, set[str]] = {}
    for t in transitions:
        who = t.process if t.process is not None else "@" + t.name
        for u in t.updates:
            root: ir.Expr = u.target
            while isinstance(root, (ir.Index, ir.Field)):
                root = root.base
            if isinstance(root, ir.VarRef):
                out.setdefault(root.name, set()).add(who)
    return out


def racy_for(process: str, indexed: bool, written_by: Mapping[str, set[str]]
             ) -> Callable[[str], bool]:
    """Can a thread other than one of `process` write v? (For a process array another
    thread of the same process can.)"""
    def racy(v: str) -> bool:
        w = written_by.get(v, set())
        return bool(w - {process}) or (indexed and process in w)
    return racy
