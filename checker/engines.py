"""The engine registry: every engine, what it can do, and how to run it, in one table.

The CLI (`--engine`, `auto`, the fallback note), the report (bounded verdicts, coverage) and
the renderers (state counts or depths, the wording of an "ok" line) read this table instead of
naming engines. Adding an engine is one module with `check(system, options) -> CheckResult`
and one `register(EngineEntry(...))` here (see docs/architecture.md, "How to add an
engine"); the only other place is the CLI's list of accepted names, `mmspec/config.ENGINES`,
which stays in the front-end so `mmspec parse` imports nothing from checker/ (a test keeps
the two equal).

Engines are imported only when run (`module` names them): a missing optional dependency is
then one clear reason, and `mmspec check` pays only for the engine it uses.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Literal, Protocol

from checker.options import CheckOptions
from checker.result import CheckResult, EngineName, ExitReason, Stats

if TYPE_CHECKING:  # the registry itself stays light: the CLI's report path imports it
    from mmspec.ground import GroundSystem

Capability = Literal[
    "invariants",     # invariants and in-step assertions, range and domain errors
    "deadlock",       # states with no enabled step
    "lock-order",     # lockdep-style cycles between lock classes
    "liveness",       # leadsto/eventually under fairness (lassos)
    "proofs",         # a verdict for all depths, not only the states or depths it saw
    "bounded",        # stopping at --depth is the verdict asked for ("no violation up to K")
    "counts-states",  # distinct/generated states and per-action firings are real counts
    "coverage",       # --coverage: enabled/fired/distinct per action
    "max-errors",     # --max-errors N: keeps searching after a violation
    "symmetry",       # --symmetry reduces the state space
]


class Engine(Protocol):
    """What the CLI and the reports need of an engine."""

    @property
    def name(self) -> EngineName: ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def unsupported(self, system: GroundSystem, options: CheckOptions | None) -> str | None:
        """None when the engine can check `system`, else a one-line reason."""

    def check(self, system: GroundSystem, options: CheckOptions) -> CheckResult:
        """Check `system`; the result's `engine` is `name`."""


Runner = Callable[["GroundSystem", CheckOptions], CheckResult]


@dataclass(frozen=True)
class EngineEntry:
    """One registered engine: its entry point by module and function name (imported when
    run), what it can do, and the engine-specific words the renderers use."""

    name: EngineName  # also listed in checker/result.py's EngineName (a test keeps them equal)
    summary: str  # what `--engine NAME` does, one phrase
    module: str
    entry: str = "check"
    capabilities: frozenset[Capability] = field(default_factory=frozenset)
    # a function in `module`: supported(system) -> None or why not (None: always supported)
    supported: str | None = None
    fallback: EngineName | None = None  # run this engine instead when `supported` says no
    # the "✓" line when every property holds (None: the state-count wording)
    ok_line: Callable[[Stats], str] | None = None
    # the hint under an incomplete verdict when the run stopped at its depth bound
    depth_hint: str | None = None
    # what the text and HTML renderers show of its statistics and coverage: state counts
    # and never-fired actions, or only the depth reached (a solver counts no firings)
    stats: Literal["states", "depth"] = "states"
    # with stats="depth": what to show instead of the depth (pdr: frames, lemmas, queries)
    stats_parts: Callable[[Stats], list[str]] | None = None

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def runner(self) -> Runner:
        fn: Runner = getattr(importlib.import_module(self.module), self.entry)
        return fn

    def unsupported(self, system: GroundSystem, options: CheckOptions | None = None
                    ) -> str | None:
        if self.supported is None:
            return None
        try:
            probe: Callable[[GroundSystem], str | None] = getattr(
                importlib.import_module(self.module), self.supported)
        except ImportError:
            return f"the {self.name} engine is not available"
        return probe(system)

    def check(self, system: GroundSystem, options: CheckOptions) -> CheckResult:
        return self.runner()(system, options)


def _is_an_engine(entry: EngineEntry) -> Engine:
    return entry  # mypy checks here that a registry entry satisfies the Engine protocol


REGISTRY: dict[str, EngineEntry] = {}


def register(entry: EngineEntry) -> EngineEntry:
    """Add an engine (a later entry of the same name replaces the earlier one)."""
    REGISTRY[entry.name] = entry
    return entry


def get(name: str) -> EngineEntry:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown engine {name!r}; registered: {', '.join(REGISTRY)}") from None


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def has(engine: str, capability: Capability) -> bool:
    """Whether the engine named in a result has `capability` (False for names not
    registered, such as `mmspec simulate`'s random walks)."""
    entry = REGISTRY.get(engine)
    return entry is not None and entry.has(capability)


# --------------------------------------------------------------------------- auto

# `--engine auto` tries these in order and runs the first that can do what the options ask
# and supports the spec; the last runs everything.
AUTO_ORDER: tuple[EngineName, ...] = ("vector", "explicit")

# What an option needs of an engine, and how the note names it ({engine}: the one chosen).
OPTION_NEEDS: tuple[tuple[Capability, Callable[[CheckOptions], bool], str], ...] = (
    ("coverage", lambda o: bool(o.coverage), "--coverage is counted by the {engine} engine"),
    ("max-errors", lambda o: o.max_errors > 1,
     "--max-errors keeps searching in the {engine} engine only"),
)


def choose_auto(system: GroundSystem, options: CheckOptions) -> tuple[EngineEntry, str | None]:
    """The engine `auto` runs, and the note that says why it is not the first choice."""
    why: Callable[[str], str] | None = None  # the first reason, given the engine chosen
    for name in AUTO_ORDER:
        entry = get(name)
        missing = [text for cap, wanted, text in OPTION_NEEDS
                   if wanted(options) and not entry.has(cap)]
        reason = entry.unsupported(system, options) if not missing else None
        if (not missing and reason is None) or name == AUTO_ORDER[-1]:
            return entry, None if why is None else f"engine auto: {name} ({why(name)})"
        if why is None:
            why = _option_reason(missing[0]) if missing else _fixed_reason(str(reason))
    raise AssertionError("AUTO_ORDER is empty")  # pragma: no cover


def _option_reason(template: str) -> Callable[[str], str]:
    return lambda engine: template.format(engine=engine)


def _fixed_reason(text: str) -> Callable[[str], str]:
    """A spec-derived reason: used as it is (it may hold braces)."""
    return lambda _engine: text


def run(name: str, system: GroundSystem, options: CheckOptions) -> CheckResult:
    """Run an engine by name (or `auto`), with the notes that say what was chosen and why;
    an engine that cannot run the spec hands it to its fallback, with a note."""
    notes: list[str] = []
    if name == "auto":
        entry, note = choose_auto(system, options)
        if note is not None:
            notes.append(note)
    else:
        entry = get(name)
        reason = entry.unsupported(system, options)
        if reason is not None and entry.fallback is not None:
            notes.append(f"{entry.name} engine cannot run this spec ({reason}); "
                         f"used {entry.fallback}")
            entry = get(entry.fallback)
    result = entry.check(system, options)
    cov = coverage_note(result, options)
    if cov is not None:
        notes.append(cov)
    result.notes[:0] = notes
    return result


def coverage_note(result: CheckResult, options: CheckOptions) -> str | None:
    """What to say when --coverage was asked of an engine that does not count it."""
    if options.coverage and "coverage_counts" not in result.stats.extra:
        return (f"coverage: not counted by the {result.engine} engine "
                "(use --engine explicit)")
    return None


# --------------------------------------------------------------------------- the engines

_SEARCH: frozenset[Capability] = frozenset(
    {"invariants", "deadlock", "lock-order", "liveness", "counts-states", "symmetry"})
_SOLVER: frozenset[Capability] = frozenset({"invariants", "deadlock", "lock-order", "liveness"})


def _kind_ok(s: Stats) -> str:
    return "every invariant holds (proved by k-induction" + (
        f" at depth {s.depth})" if s.depth else ")")


def _bmc_ok(s: Stats) -> str:
    return f"no violation up to depth {s.depth}"


register(EngineEntry(
    "explicit", "breadth-first search over compiled transitions (the reference counts)",
    "checker.explicit", capabilities=_SEARCH | {"coverage", "max-errors"}))
register(EngineEntry(
    "vector", "breadth-first search a level at a time as numpy arrays",
    "checker.vector", capabilities=_SEARCH, supported="supported", fallback="explicit"))
register(EngineEntry(
    "bmc", "bounded model checking with z3 up to --depth",
    "checker.symbolic.bmc", "check_bmc", capabilities=_SOLVER | {"bounded"},
    ok_line=_bmc_ok, stats="depth"))
register(EngineEntry(
    "kind", "k-induction proof of the invariants with z3",
    "checker.symbolic.kind", "check_kind", capabilities=_SOLVER | {"proofs"},
    ok_line=_kind_ok, depth_hint="raise --depth, or add a helper invariant (see below)",
    stats="depth"))
def _pdr_ok(s: Stats) -> str:
    return "every property holds (proved for all depths by IC3/PDR)" if s.extra.get(
        "proved") else "every property holds"


def _pdr_stats(s: Stats) -> list[str]:
    """pdr counts no states: its frames, lemmas and solver queries instead."""
    parts = [f"{s.extra.get('ic3_frames', 0)} frames",
             f"{s.extra.get('ic3_lemmas', 0)} lemmas",
             f"{s.extra.get('solver_checks', 0)} solver queries"]
    return parts + ([f"counterexample depth {s.depth}"] if s.depth else [])


register(EngineEntry(
    "pdr", "IC3/PDR proof with z3; prints the inductive invariant",
    "checker.symbolic.pdr", "check_pdr", capabilities=_SOLVER | {"proofs"},
    ok_line=_pdr_ok, stats="depth", stats_parts=_pdr_stats))


def shows_depth_only(engine: str) -> bool:
    """Whether the renderers show only the depth of a result by this engine (a solver's),
    not state counts and coverage."""
    entry = REGISTRY.get(engine)
    return entry is not None and entry.stats == "depth"


def solver_stats(engine: str, stats: Stats) -> list[str]:
    """What a solver engine's statistics show (stats="depth"): its own figures, else the
    depth it reached."""
    entry = REGISTRY.get(engine)
    if entry is not None and entry.stats_parts is not None:
        return entry.stats_parts(stats)
    return [f"depth {stats.depth}"]


def depth_limit_hint(engine: str, reason: ExitReason) -> str | None:
    """The hint for a run that stopped at its depth bound, when its engine has one."""
    entry = REGISTRY.get(engine)
    if entry is None or reason != ExitReason.DEPTH_LIMIT:
        return None
    return entry.depth_hint


def ok_line(engine: str, stats: Stats) -> str | None:
    """The engine's own wording of "every property holds" (None: the state-count one)."""
    entry = REGISTRY.get(engine)
    return None if entry is None or entry.ok_line is None else entry.ok_line(stats)
