"""Execution contexts in traces: each thread's context per state, and where a `context`,
`use-after-free` or `irq-lock` violation's cause began.

The checks themselves are ordinary IR checks (mmspec/contexts.py), so every engine reports
them; what they cannot say statically, where the atomic section was entered, which step freed
the object, where lockdep saw the first usage, is read here from the trace, which holds
every state of the real execution. Pure functions of the spec and the trace, used by the
renderers and the CLI alike.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from mmspec import ir

from checker.details import (ContextDetails, IrqLockDetails, StepRef, UseAfterFreeDetails,
                             details_json)
from checker.result import CheckResult, Trace, Violation

State = dict[str, Any]


def _at(value: Any, key: int) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, (list, tuple)):
        return value[key] if 0 <= key < len(value) else None
    return None


def _holds(spec: ir.Spec, owner_var: str, state: State, tid: int,
           readers_var: str | None = None) -> bool:
    """tid owns the lock (an instance of a lock array), or is one of its readers."""
    v = state.get(owner_var)
    if isinstance(v, dict):
        owns = any(x == tid for x in v.values())
    else:
        owns = bool(v == tid)
    if owns or readers_var is None:
        return owns
    r = state.get(readers_var)
    sets = r.values() if isinstance(r, dict) else [r]
    return any(isinstance(x, frozenset) and tid in x for x in sets)


def thread_context(spec: ir.Spec, state: State, tid: int) -> str:
    """`process`, `hardirq`, or `process, atomic: spinlock s, rcu 1` for one thread."""
    info = spec.contexts
    if info is None:
        return "process"
    ctx = info.thread_contexts[tid] if tid < len(info.thread_contexts) else "process"
    why = [f"{kind} {name}" for kind, name, owner, readers in info.atomic_locks
           if _holds(spec, owner, state, tid, readers)]
    for reason, var in info.counters:
        n = _at(state.get(var), tid)
        if isinstance(n, int) and n > 0:
            why.append(f"{reason} {n}")
    for h, var in info.handlers:
        th = next((t for t in spec.threads if t.process == h), None)
        if th is not None and th.tid != tid and state.get(var) and \
                info.thread_cpus[th.tid] is not None and \
                info.thread_cpus[th.tid] == info.thread_cpus[tid] and \
                state.get(f"{h}.pc") != "done":
            why.append(f"interrupted by {h}")
    return ctx + (", atomic: " + ", ".join(why) if why else "")


def contexts_of(spec: ir.Spec, state: State) -> dict[str, str]:
    """Every thread's context in one state (thread display name -> text)."""
    return {t.name: thread_context(spec, state, t.tid) for t in spec.threads}


def _entered(trace: Trace, pred: Callable[[State], bool]) -> StepRef | None:
    """The last step where pred became true (and stayed true to the end)."""
    steps = trace.steps
    for k in range(len(steps) - 1, 0, -1):
        if pred(steps[k].state) and not pred(steps[k - 1].state):
            s = steps[k]
            return StepRef(k, s.label, str(s.span) if s.span else None)
    return None


def _thread(spec: ir.Spec, v: Violation) -> ir.ThreadInfo | None:
    action = str(details_json(v.details).get("action") or "")
    name = action.split(": ", 1)[0]
    return next((t for t in spec.threads if t.name == name), None)


def annotate(result: CheckResult) -> None:
    """Give the context-related violations of a result their trace-derived details
    (ContextDetails, UseAfterFreeDetails, IrqLockDetails: where the cause began)."""
    spec = result.spec
    if spec.contexts is None:
        return
    meta = {m: dict(kw) for m, kw in spec.contexts.checks}
    for i, v in enumerate(result.violations):
        kw = meta.get(v.message)
        if kw is None or not v.trace.steps:
            continue
        typed = _context_details(spec, v, kw)
        if typed is not None:
            result.violations[i] = replace(v, details=typed)


def _context_details(spec: ir.Spec, v: Violation, kw: dict[str, str]
                     ) -> ContextDetails | UseAfterFreeDetails | IrqLockDetails | None:
    action = str(details_json(v.details).get("action") or "")
    if v.kind not in ("context", "use-after-free", "irq-lock", "null-deref"):
        return None
    cause = _cause(spec, v, kw)
    if v.kind == "context":
        return ContextDetails(action, kw.get("what", ""), kw.get("reason", ""),
                              kw.get("lock"), cause)
    if v.kind == "null-deref":
        return UseAfterFreeDetails(action, f"{kw['pool']} NULL", "null-ptr-deref", None)
    if v.kind == "use-after-free":
        return UseAfterFreeDetails(action, f"{kw['pool']} {kw['object']}",
                                   kw.get("reason", "use-after-free"), cause)
    return IrqLockDetails(action, kw.get("lock", ""), kw.get("usage", ""), cause)


def _cause(spec: ir.Spec, v: Violation, kw: dict[str, str]) -> StepRef | None:
    th = _thread(spec, v)
    reason = kw.get("reason")
    if v.kind == "context" and th is not None:
        tid = th.tid
        if "owner" in kw:  # a spinning lock held
            return _entered(v.trace, lambda s: _holds(spec, kw["owner"], s, tid,
                                                      kw.get("readers")))
        if "var" in kw:
            return _entered(v.trace, lambda s: (_at(s.get(kw["var"]), tid) or 0) > 0)
        if reason in ("hardirq", "softirq"):
            return _entered(v.trace, lambda s: bool(s.get(f"{th.process}.irq")))
    if v.kind == "use-after-free" and "state" in kw:
        o = int(kw["object"])
        return _entered(v.trace, lambda s: _at(s.get(kw["state"]), o) == 2)
    if v.kind == "irq-lock" and "first" in kw:
        return _entered(v.trace, lambda s: bool(s.get(kw["first"])))
    return None
