"""The terminal rendering of a CheckResult: verdict, counterexample, why it failed, stats.

Written for a kernel developer reading a failing interleaving: each step says which thread
did what and where in the spec, and only what changed (`pc[1]: r1 -> r2`, `readers: +{2}`),
so a 20-step trace stays readable. Deterministic (no times except the stats line), so goldens
can pin it.
"""
from __future__ import annotations

from typing import Any

from mmspec import ir

from checker import engines, report
from checker.details import (ContextDetails, DeadlockDetails, DomainDetails, IrqLockDetails,
                             LivenessDetails, LockOrderDetails, OtherDetails, RangeDetails,
                             StepCheckDetails, UseAfterFreeDetails, details_of)
from checker.render.diff import Change, Types, clean, diff_states, fmt, var_types
from checker.render.expect import (complete, expectation_text, expected_violations,
                                   is_expected)
from checker.render.locks import lock_states, owner_note, thread_name
from checker.render.memnotes import memory_locations, memory_notes
from checker.render.sources import Sources, where
from checker.contexts import contexts_of
from checker.result import CheckResult, ExitReason, Trace, Violation

INDENT = "      "

HINTS = {
    ExitReason.STATE_LIMIT: "raise --max-states to search further",
    ExitReason.TIME_LIMIT: "raise --time-limit to search further",
    ExitReason.MEMORY_LIMIT: "raise --memory-limit, or try --symmetry to shrink the state space",
    ExitReason.DEPTH_LIMIT: "raise --depth, or use --engine kind to prove it for every depth",
    ExitReason.UNKNOWN: "the solver gave up; try --engine explicit",
}


class Style:
    """ANSI colour, or nothing at all (pipes, files, goldens)."""

    def __init__(self, color: bool):
        self.color = color

    def _wrap(self, code: str, s: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if self.color and s else s

    def red(self, s: str) -> str:
        return self._wrap("31;1", s)

    def green(self, s: str) -> str:
        return self._wrap("32;1", s)

    def yellow(self, s: str) -> str:
        return self._wrap("33;1", s)

    def bold(self, s: str) -> str:
        return self._wrap("1", s)

    def dim(self, s: str) -> str:
        return self._wrap("2", s)

    def cyan(self, s: str) -> str:
        return self._wrap("36", s)


def headline(v: Violation) -> str:
    """One line naming what broke, without the mark: `invariant excl violated`."""
    return clean(_headline(v))


def property_label(v: Violation) -> str:
    """The property as a noun phrase: `invariant excl`, `assertion "sole reader"`."""
    return clean({"invariant": f"invariant {v.property}",
                  "assertion": f'assertion "{v.property}"',
                  "deadlock": "deadlock freedom",
                  "liveness": f"liveness property {v.property}",
                  "lock-order": "lock order (lockdep)",
                  "range": f"the declared range of {v.property}",
                  "context": "might_sleep (no sleeping in atomic context)",
                  "use-after-free": "object lifetime (no use after free)",
                  "null-deref": "object references (no NULL dereference)",
                  "irq-lock": "lockdep IRQ-safety (consistent lock usage)",
                  "refcount": v.property}.get(
                      v.kind, f"{v.kind} {v.property}"))


def _headline(v: Violation) -> str:
    if v.kind == "trace":  # itf.TRACE_KIND: a saved trace without a verdict
        return "trace (no violation recorded)" + (f": {v.property}" if v.property else "")
    if v.kind == "invariant":
        return f"invariant {v.property} violated"
    if v.kind == "assertion":
        return f"assertion failed: {v.property}"
    if v.kind == "deadlock":
        if not v.message or v.message == "deadlock":
            return "deadlock"
        return v.message if v.message.startswith("deadlock") else f"deadlock: {v.message}"
    if v.kind == "liveness":
        return f"liveness property {v.property} violated"
    if v.kind == "lock-order":
        return f"lock-order cycle: {v.message or v.property}"
    if v.kind == "range":
        return f"range error: {v.message or v.property}"
    if v.kind in ("context", "use-after-free", "null-deref"):
        return v.message or v.property
    if v.kind == "irq-lock":
        return f"WARNING: inconsistent lock state: {v.message or v.property}"
    if v.kind == "refcount":  # the kernel's own WARN text: "refcount_t: underflow; ..."
        return v.message or v.property
    return f"{v.kind} {v.property} violated"


def ok_line(result: CheckResult) -> str:
    s = result.stats
    own = engines.ok_line(result.engine, s)  # a solver's wording: proved, or up to a depth
    if own is not None:
        return own
    if s.distinct_states:
        return f"all {s.distinct_states} distinct states satisfy every property"
    return "every property holds"


def verdict_lines(result: CheckResult, st: Style) -> list[str]:
    """The first line(s): ✓ / ✗ / ? and, for a spec with `expect`, whether it was met."""
    if result.violations:
        return []  # each violation block starts with its own headline
    if result.engine == report.WALKS:
        return _walk_lines(result, st)
    expect = result.spec.expect
    out: list[str] = []
    if complete(result):
        if expect.kind is not None:
            want = clean(expectation_text(expect))
            out.append(st.red("✗ ") + f"expected {want} violation, but {ok_line(result)}")
        else:
            out.append(st.green("✓ ") + ok_line(result))
    else:
        s = result.stats
        seen = (", ".join(engines.solver_stats(result.engine, s))
                if engines.shows_depth_only(result.engine) else
                f"{s.distinct_states} distinct states (depth {s.depth})")
        out.append(st.yellow("? ") + f"incomplete: {result.reason.value} after {seen}, "
                   "no violation so far")
        hint = engines.depth_limit_hint(result.engine, result.reason)
        if hint is not None:
            out.append(f"  hint: {hint}")
        elif result.reason in HINTS:
            out.append(f"  hint: {HINTS[result.reason]}")
        cti = s.extra.get("cti")
        if isinstance(cti, Trace):
            prop = clean(str(s.extra.get("cti_property", "an invariant")))
            out.append(f"  Counterexample to induction for {prop}: {len(cti.steps)} states "
                       "that satisfy every invariant but the last, not necessarily "
                       "reachable. A `helper invariant` that rules out its first state "
                       "lets k-induction go through.")
            out.extend("  " + line for line in trace_lines(result.spec, cti, st))
    return out


def _walk_lines(result: CheckResult, st: Style) -> list[str]:
    """`mmspec simulate` without a violation: what the walks did, and how to go further
    with the options `simulate` accepts."""
    o = report.judge(result)
    mark = {True: st.green("✓ "), False: st.red("✗ "), None: st.yellow("? ")}[o.met]
    out = [mark + clean(o.summary)]
    if report.WalkStats.of(result).cut:
        out.append("  hint: raise --steps to let the walks run longer, or --runs for more")
    return out


def _annotate(spec: ir.Spec, c: Change) -> str:
    """A change, with thread names next to lock-owner ids and set elements."""
    note_old = owner_note(spec, c.var, c.old)
    note_new = owner_note(spec, c.var, c.new)
    if note_old is not None and note_new is not None:
        return clean(f"{c.path}: {fmt(c.old)} ({note_old}) -> {fmt(c.new)} ({note_new})")
    text = c.describe()
    if c.is_set and any(lk.readers_var == c.var for lk in spec.locks):
        names = []
        if c.added:
            names.append("+" + ", ".join(thread_name(spec, x) for x in c.added))
        if c.removed:
            names.append("-" + ", ".join(thread_name(spec, x) for x in c.removed))
        text += f" ({' '.join(names)})"
    return clean(text)


def _initial_lines(spec: ir.Spec, state: dict[str, Any]) -> list[str]:
    out = []
    for name, v in state.items():
        note = owner_note(spec, name, v)
        out.append(f"{INDENT}{clean(name)} = {fmt(v)}" + (f" ({clean(note)})" if note else ""))
    return out


def step_title(step: Any) -> str:
    return clean(step.label or step.action or "?")


def trace_lines(spec: ir.Spec, trace: Trace, st: Style, types: Types | None = None,
                sources: Sources | None = None) -> list[str]:
    """Numbered states: the initial state in full, then each step and what it changed."""
    types = types if types is not None else var_types(spec)
    sources = sources or Sources(spec.sources)
    out: list[str] = []
    n = len(trace.steps) - 1
    if trace.loop is not None and trace.loop >= n:
        out.append(f"Counterexample: {n} step{'s' if n != 1 else ''}, then no fair step "
                   "forever")
    elif trace.loop is not None:
        out.append(f"Counterexample: a lasso of {n} step{'s' if n != 1 else ''}; steps "
                   f"{trace.loop + 1}..{n} repeat forever")
    else:
        out.append(f"Counterexample: {n} step{'s' if n != 1 else ''}")
    prev: dict[str, Any] | None = None
    locs = memory_locations(spec)
    for i, step in enumerate(trace.steps):
        if trace.loop == i:
            out.append(st.cyan(f"  ┌── the loop starts at state {i}"))
        if prev is None:
            out.append(st.bold(f"  {i:>2}. initial state"))
            out.extend(_initial_lines(spec, step.state))
            if spec.contexts is not None:
                out.extend(INDENT + st.dim(clean(f"context {t}: {c}")) for t, c in
                           contexts_of(spec, step.state).items() if c != "process")
        else:
            loc = clean(where(step.span))
            out.append(st.bold(f"  {i:>2}. {step_title(step)}") + (f"   {st.dim(loc)}" if loc
                                                                      else ""))
            src = sources.line(step.span)
            if src is not None:
                out.append(st.dim(f"{INDENT}| {clean(src.strip())}"))
            changes = diff_states(prev, step.state, types)
            if not changes:
                out.append(f"{INDENT}(no change)")
            for c in changes:
                out.append(INDENT + st.cyan(_annotate(spec, c)))
            for note in memory_notes(spec, locs, prev, step.state, step.process,
                                     src if locs else None):
                out.append(INDENT + "↳ " + clean(note))
            out.extend(_context_lines(spec, prev, step.state, st))
        prev = step.state
    if trace.loop is not None and trace.steps:
        out.append(st.cyan("  └── " + loop_end(trace)))
    return out


def _context_lines(spec: ir.Spec, prev: dict[str, Any], state: dict[str, Any],
                   st: Style) -> list[str]:
    """The threads whose execution context changed at this step (docs/kernel.md)."""
    if spec.contexts is None:
        return []
    before, now = contexts_of(spec, prev), contexts_of(spec, state)
    return [INDENT + st.dim(clean(f"context {t}: {c}")) for t, c in now.items()
            if before.get(t) != c]


def loop_end(trace: Trace) -> str:
    """How a lasso closes. Engines end it on the loop state again (the last step returns
    there), or on the loop state itself when the run stutters; other ITF writers may stop
    one step short, with the next step implied."""
    last = len(trace.steps) - 1
    loop = trace.loop
    assert loop is not None
    if loop == last:
        return f"the run stays in state {loop} forever (no fair step is taken)"
    if trace.steps[last].state == trace.steps[loop].state:
        return f"back at state {loop}: the loop repeats forever"
    return f"the next step returns to state {loop}; the loop repeats forever"


def _details_lines(spec: ir.Spec, v: Violation, st: Style, sources: Sources) -> list[str]:
    """What a violation's details add under its headline, by the details' type."""
    d = details_of(v)
    if isinstance(d, DeadlockDetails):
        return _deadlock_lines(spec, d)
    if isinstance(d, LockOrderDetails):
        return _lock_order_lines(d)
    if isinstance(d, RangeDetails):
        return [clean(f"In step {d.action}: {d.slot} would become {fmt(d.value)}, "
                      f"outside {d.lo}..{d.hi}")]
    if isinstance(d, StepCheckDetails):
        return [clean(f"Failing step: {d.action} (the assertion is checked before the "
                      "step fires)")]
    if isinstance(d, LivenessDetails):
        return _liveness_lines(d)
    if isinstance(d, OtherDetails) and not d.shown:
        return []
    if isinstance(d, (OtherDetails, DomainDetails, ContextDetails, UseAfterFreeDetails,
                      IrqLockDetails)):  # shown as they are, one "key: value" line each
        return [clean(f"  {k}: {fmt(x)}") for k, x in d.as_dict().items()
                if not isinstance(x, Trace)]
    return []


def _deadlock_lines(spec: ir.Spec, d: DeadlockDetails) -> list[str]:
    out: list[str] = []
    if d.waits or d.stuck:
        out.append("No step is enabled:")
    for s in d.stuck:
        at = f"   {s.at}" if s.at else ""
        if s.sleeps_on:
            out.append(clean(f"  {s.thread} is asleep at {s.step} on {s.sleeps_on}: "
                             f"nobody is left to wake it{at}"))
            continue
        out.append(clean(f"  {s.thread} is blocked at {s.step}: its "
                         f"condition is false and nothing can make it true{at}"))
    rw = {lk.name for lk in spec.locks if lk.shared}
    for w in d.waits:
        holders = ", ".join(w.holders) or "nobody"
        mode = w.mode if w.lock.split("[")[0] in rw else None
        queued = ", ".join(w.queued)
        out.append(clean(f"  {w.thread} waits for {w.lock}"
                         + (f" ({mode})" if mode else "") + f", held by {holders}"
                         + (f", queued behind writer(s) {queued}" if queued else "")))
    if d.cycle:
        out.append(clean("  wait-for cycle: " + " -> ".join([*d.cycle, d.cycle[0]])))
    if d.action is not None:
        out.append(clean(f"Failing step: {d.action} (it would wait forever)"))
    return out


def _lock_order_lines(d: LockOrderDetails) -> list[str]:
    out: list[str] = []
    chain, witnesses = d.chain, d.witnesses
    if chain:
        out.append("Lock-order chain (lockdep style: acquired B while holding A):")
    for k, e in enumerate(chain):
        # trace_length counts states (len(Trace)); people count steps
        w = witnesses[k] if k < len(witnesses) else None
        n = len(w.steps) - 1 if w is not None else (
            e.trace_length - 1 if e.trace_length is not None else None)
        out.append(clean(f"  {e.src} -> {e.dst}: {e.thread} acquired "
                         f"{e.dst} while holding {e.src}"
                         + (f" (witness: {n} step{'s' if n != 1 else ''})"
                            if n is not None else "")))
    if chain:
        out.append(clean("  cycle: " + " -> ".join([e.src for e in chain] + [chain[-1].dst])))
    for e, w in zip(chain, witnesses):
        if w is None:
            continue
        out.append(f"  witness for {e.src} -> {e.dst}:")
        for i, step in enumerate(w.steps[1:], 1):
            loc = clean(where(step.span))
            out.append(f"    {i:>2}. {step_title(step)}" + (f"   {loc}" if loc else ""))
    return out


def _liveness_lines(d: LivenessDetails) -> list[str]:
    out: list[str] = []
    if isinstance(d.fairness, tuple):
        out.append(clean("Fairness: " + (", ".join(d.fairness) if d.fairness else "none")))
    elif d.fairness:
        out.append(clean(f"Fairness: {d.fairness}"))
    if d.trigger is not None and d.trigger > 0:
        out.append(f"The premise first holds at state {d.trigger}")
    for h in d.hints:
        out.append(clean(f"hint: {h}"))
    return out


def _restates(message: str, head: str) -> bool:
    """Whether the message only repeats the headline ("invariant excl is violated")."""
    m = clean(message)
    return m in head or m.replace(" is violated", " violated") in head


def _expected_note(result: CheckResult, v: Violation, st: Style) -> str:
    if result.spec.expect.kind is not None and v in expected_violations(result):
        return st.green("  (expected by the spec)")
    if is_expected(result, v):
        return st.green("  (accompanies the expected violation)")
    return ""


def violation_lines(result: CheckResult, v: Violation, st: Style) -> list[str]:
    spec = result.spec
    sources = Sources(spec.sources)
    out = [(st.cyan("• ") if v.kind == "trace" else st.red("✗ ")) + headline(v)
           + _expected_note(result, v, st)]
    if v.message and not _restates(v.message, out[0]):
        out.append(f"  {clean(v.message)}")
    out.append("")
    if v.trace.steps:
        out.extend(trace_lines(spec, v.trace, st, sources=sources))
        out.append("")
    else:
        out.append("(no trace for this violation here)")
    if v.kind == "trace":
        return out
    loc = clean(where(v.span))
    out.append(st.red("Violated: ") + property_label(v) + (f"   {st.dim(loc)}" if loc else ""))
    src = sources.line(v.span)
    if src is not None:
        out.append(st.dim(f"{INDENT}| {clean(src.strip())}"))
    out.extend(_details_lines(spec, v, st, sources))
    if v.trace.steps and spec.locks:
        out.append("Locks in the failing state:")
        for ls in lock_states(spec, v.trace.steps[-1].state):
            out.append(clean(f"  {ls.name} ({ls.kind}): {ls.describe()}"))
    return out


def stats_lines(result: CheckResult) -> list[str]:
    s = result.stats
    depth_only = engines.shows_depth_only(result.engine)  # a solver counts depths, not states
    if depth_only:
        parts = engines.solver_stats(result.engine, s) + [f"{s.seconds:.2f} s"]
    else:
        parts = [f"{s.distinct_states} distinct states", f"{s.generated_states} generated",
                 f"depth {s.depth}", f"{s.seconds:.2f} s"]
    out = [f"Stats ({result.engine}): " + ", ".join(parts)]
    cov = report.coverage(result)
    if cov.never_fired:
        out.append("Never fired: " + clean(", ".join(cov.never_fired))
                   + "  (dead code, or guards that never hold in this configuration)")
    elif cov.never_fired is None and not depth_only:
        out.append(f"Never fired: {cov.note}")
    return out


def render_result(result: CheckResult, color: bool = False) -> str:
    """The whole text report for one spec (what `mmspec check` prints under its summary
    line). `result.notes` are left to the caller, which prints them once."""
    st = Style(color)
    out = verdict_lines(result, st)
    for i, v in enumerate(result.violations):
        if i or out:
            out.append("")
        out.extend(violation_lines(result, v, st))
    if result.violations and result.spec.expect.kind is not None \
            and not expected_violations(result):
        out.append("")
        want = clean(expectation_text(result.spec.expect))
        out.append(st.red("✗ ") + f"the spec expects a {want} violation, which was not found")
    out.append("")
    out.extend(stats_lines(result))
    return "\n".join(out) + "\n"


def render_trace(spec: ir.Spec, trace: Trace, color: bool = False) -> str:
    """Just the numbered steps of a trace (for `mmspec simulate` and witnesses)."""
    return "\n".join(trace_lines(spec, trace, Style(color))) + "\n"
