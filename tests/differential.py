"""Run one generated spec through the real pipeline and every engine, and judge each engine
against the reference evaluator (tests/refeval.py).

The pipeline is the CLI's: the text is written to a file, loaded with
`mmspec.frontend.load_spec`, grounded, and each engine is run through `mmspec.cli._run_engine`
(so the vector engine's refusal and fallback are the CLI's too).

Agreement, per engine:
- the reference found no violation and explored everything: the engine found none, and the
  explicit and vector engines report the same distinct states and depth;
- the reference found violations first at depth d: the engine reports one of them (the kind
  and property; invariants first when one fails at d), with a trace of d + 1 states that
  replays as an execution of the spec in the reference and ends in a state with that
  violation;
- bmc runs to a bound K (the reachable diameter, at most `bmc_cap`): within K it must find
  exactly what the reference finds within K.
- the vector engine may refuse a spec, but only explicitly: the CLI then says so in a note
  and runs the explicit engine, whose result is judged like any other;
- grounding may refuse a read that fails wherever it is evaluated (MMS303/MMS320), if the
  reference finds that domain error in an initial state (`certain_domain_error`).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from checker.options import CheckOptions
from mmspec.cli import _run_engine
from mmspec.frontend import load_spec
from mmspec.diagnostics import SpecError
from mmspec.ground import GroundError, ground
from tests.refeval import Model, RefResult, ReplayError, bfs, replay, violations_at

MAX_REF_STATES = 3000
BMC_CAP = 6
ENGINES = ("explicit", "vector", "bmc")


@dataclass
class Verdict:
    """The outcome of one spec: skipped (why) or judged, with any disagreements."""

    skipped: str | None = None
    disagreements: list[str] = field(default_factory=list)
    ref: RefResult | None = None
    refused: list[str] = field(default_factory=list)  # engines that refused, with reasons

    @property
    def ok(self) -> bool:
        return not self.disagreements


_DIR: list[str] = []


def load_text(text: str) -> Any:
    """The spec as the CLI loads it: from a file (one scratch folder per process)."""
    if not _DIR:
        _DIR.append(tempfile.mkdtemp(prefix="mmspec-diff-"))
        atexit.register(shutil.rmtree, _DIR[0], True)
    path = os.path.join(_DIR[0], "gen.mms")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return load_spec(path)


def _shown_steps(trace: Any) -> list[tuple[dict, str | None, dict]]:
    return [(st.state, st.action, dict(st.binding)) for st in trace.steps]


def judge_violation(model: Model, ref: RefResult, v: Any) -> str | None:
    """None if v is a violation the reference allows at its shortest depth, else why not."""
    allowed = ref.allowed
    key = (v.kind, v.property)
    # a domain violation's property is the engine's wording of the read; judge its value
    value = v.details.get("value") if isinstance(v.details, dict) else None
    if v.kind == "domain":
        ok_kind = any(w.kind == "domain" and (value is None or w.value == value)
                      for w in ref.first)
    else:
        ok_kind = key in allowed
    if not ok_kind:
        return f"reported {key} (value {value}), the reference allows " \
               f"{sorted((w.kind, w.prop, w.value) for w in ref.first)} at depth " \
               f"{ref.violation_depth}"
    if len(v.trace) != ref.violation_depth + 1:  # type: ignore[operator]
        return f"trace of {len(v.trace)} states, the shortest has {ref.violation_depth + 1}"  # type: ignore[operator]
    try:
        states = replay(model, _shown_steps(v.trace))
    except ReplayError as e:
        return f"trace does not replay: {e}"
    here = violations_at(model, states[-1])
    if v.kind == "domain":
        if not any(w.kind == "domain" and (value is None or w.value == value) for w in here):
            return f"the trace's last state has no domain error on {value} in the reference"
    elif key not in {w.key for w in here}:
        return f"the trace's last state does not violate {key} in the reference"
    return None


def judge(model: Model, ref: RefResult, engine: str, result: Any, bound: int | None) -> str | None:
    """None when `result` agrees with the reference (bound: bmc's depth), else why not."""
    vs = [v for v in result.violations if v.kind != "lock-order"]
    expect_violation = ref.violation_depth is not None and (
        bound is None or ref.violation_depth <= bound)
    if not expect_violation:
        if vs:
            v = vs[0]
            return (f"{engine}: reports {v.kind} {v.property!r} at depth {len(v.trace) - 1}; "
                    f"the reference finds none" + ("" if bound is None else f" to depth {bound}"))
        if bound is None:
            st = result.stats
            if result.reason.value != "done":
                return f"{engine}: stopped with {result.reason.value}"
            if (st.distinct_states, st.depth) != (ref.distinct, ref.depth):
                return (f"{engine}: {st.distinct_states} states, depth {st.depth}; the "
                        f"reference has {ref.distinct} states, depth {ref.depth}")
        return None
    if len(vs) != 1:
        return f"{engine}: {len(vs)} violations, expected one (reference: {sorted(ref.allowed)} " \
               f"at depth {ref.violation_depth})"
    why = judge_violation(model, ref, vs[0])
    return None if why is None else f"{engine}: {why}"


def certain_domain_error(e: GroundError, ref: RefResult) -> bool:
    """A read that fails whenever it is evaluated and that nothing guards (an invariant's,
    a guard's) is refused before the search (MMS303, MMS320 for a divisor): docs/language.md.
    Such a read is evaluated in every state, so the reference must find a domain violation
    in an initial state; anything else is a disagreement."""
    return e.code in ("MMS303", "MMS320") and ref.violation_depth == 0 and any(
        v.kind == "domain" for v in ref.first)


def check_text(text: str, engines: tuple[str, ...] = ENGINES, bmc_cap: int = BMC_CAP,
               max_ref_states: int = MAX_REF_STATES) -> Verdict:
    out = Verdict()
    try:
        spec = load_text(text)
    except SpecError as e:  # the generator only writes valid specs
        out.disagreements.append(f"front-end: rejected the spec: {e}")
        return out
    model = Model(spec)
    ref = bfs(model, max_states=max_ref_states)
    out.ref = ref
    try:
        system = ground(spec)
    except GroundError as e:
        if not certain_domain_error(e, ref):
            out.disagreements.append(f"ground: rejected the spec: {e.code}: {e}")
        else:
            out.refused.append(f"ground: {e.code}: {e}")
        return out
    if ref.limited:
        out.skipped = "state space over the reference's budget"
        return out
    for engine in engines:
        bound = None
        options = CheckOptions()
        if engine in ("bmc", "kind"):
            bound = min(ref.violation_depth if ref.violation_depth is not None else ref.depth,
                        bmc_cap)
            options = CheckOptions(depth=bound)
        try:
            result = _run_engine(engine, system, options)
        except Exception as e:  # noqa: BLE001 - any crash is a disagreement to report
            out.disagreements.append(f"{engine}: {type(e).__name__}: {e}")
            continue
        if engine == "vector" and result.engine != "vector":
            notes = [n for n in result.notes if "vector engine cannot run" in n]
            if not notes:
                out.disagreements.append(f"vector: ran {result.engine} without saying why")
            out.refused.append(f"vector: {notes[0] if notes else '?'}")
        why = judge(model, ref, engine, result, bound)
        if why is not None:
            out.disagreements.append(why)
    return out


@dataclass
class Tally:
    """Counts over a run, for the test's coverage assertions and the bench's table."""

    judged: int = 0
    skipped: int = 0
    disagreeing: int = 0
    kinds: Counter = field(default_factory=Counter)  # first violation kind, or 'none'
    refusals: int = 0  # vector refusals
    static_refusals: int = 0  # a certain domain error refused before the search
    over_64_bits: int = 0  # specs whose reference computed an integer beyond int64
    failures: list[tuple[str, list[str]]] = field(default_factory=list)
    states: list[int] = field(default_factory=list)  # reference's distinct states per spec
    depths: list[int] = field(default_factory=list)  # its deepest level (or violation depth)

    def add(self, text: str, v: Verdict) -> None:
        if v.skipped:
            self.skipped += 1
            return
        self.judged += 1
        ref = v.ref
        if ref is None:  # rejected before the reference ran
            self.disagreeing += 1
            self.failures.append((text, v.disagreements))
            return
        for kind in (ref.kinds if ref.found else {"none"}):
            self.kinds[kind] += 1
        self.states.append(ref.distinct)
        self.depths.append(ref.depth)
        self.refusals += any(r.startswith("vector") for r in v.refused)
        self.static_refusals += any(r.startswith("ground") for r in v.refused)
        self.over_64_bits += ref.peak > 2**63 - 1
        if not v.ok:
            self.disagreeing += 1
            self.failures.append((text, v.disagreements))
