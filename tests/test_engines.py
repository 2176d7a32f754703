"""The engine registry (checker/engines.py) and the one options resolver (checker/settings.py).

The extension point is proved by following docs/architecture.md's "How to add an engine"
once: a toy engine (a plain BFS over the reference semantics, below) is registered and run
through the same path as `mmspec check --engine NAME`.
"""
from __future__ import annotations

import typing

from collections import deque
from dataclasses import replace

import pytest

from checker import engines
from checker.engines import EngineEntry
from checker.options import CheckOptions
from checker.result import CheckResult, EngineName, ExitReason, Stats
from checker.semantics import enabled, successor
from checker.settings import resolve
from mmspec import config
from mmspec.cli import _run_engine
from mmspec.ground import GroundSystem, ground

from tests import irbuild


def test_the_cli_accepts_exactly_the_registered_engines() -> None:
    # config.ENGINES stays in the front-end (`mmspec parse` imports nothing from checker/)
    assert config.ENGINES == ("auto",) + engines.names()


def test_the_engine_name_type_lists_exactly_the_registered_engines() -> None:
    # checker/result.py's EngineName is what mypy checks engine names against
    assert typing.get_args(EngineName) == engines.names()


def toy_check(system: GroundSystem, options: CheckOptions) -> CheckResult:
    """A toy engine: breadth-first over the reference semantics, safety-free (it only
    counts), enough to show a registered engine runs end to end."""
    seen = {tuple(s) for s in system.init}
    todo = deque(seen)
    generated = len(seen)
    while todo:
        s = todo.popleft()
        for t in system.transitions:
            if enabled(t, s):
                n = successor(system, t, s)
                generated += 1
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
    stats = Stats(distinct_states=len(seen), generated_states=generated)
    return CheckResult(system.spec, "toy", ExitReason.DONE, [], stats)


@pytest.fixture
def toy() -> object:
    entry = engines.register(EngineEntry("toy", "a plain BFS (test)", __name__, "toy_check",
                                         capabilities=frozenset({"counts-states"})))
    yield entry
    engines.REGISTRY.pop("toy")


def test_a_registered_engine_runs_through_the_cli_path(toy: object) -> None:
    # grid(2, 2): two counters in 0..2, (2+1)^2 = 9 states; a counter can be incremented in
    # the 2*3 = 6 states where it is below 2, so 2*6 = 12 steps, plus 1 initial state = 13
    system = ground(irbuild.grid(2, 2))
    result = _run_engine("toy", system, CheckOptions())
    assert (result.engine, result.reason) == ("toy", ExitReason.DONE)
    assert (result.stats.distinct_states, result.stats.generated_states) == (9, 13)
    explicit = _run_engine("explicit", system, CheckOptions())
    assert explicit.stats.distinct_states == result.stats.distinct_states
    assert engines.has("toy", "counts-states") and not engines.shows_depth_only("toy")


def test_auto_says_why_it_did_not_pick_the_first_choice() -> None:
    system = ground(irbuild.grid(2, 2))
    entry, note = engines.choose_auto(system, CheckOptions())
    assert (entry.name, note) == ("vector", None)
    entry, note = engines.choose_auto(system, CheckOptions(coverage=True))
    assert (entry.name, note) == (
        "explicit", "engine auto: explicit (--coverage is counted by the explicit engine)")
    entry, note = engines.choose_auto(system, CheckOptions(max_errors=3))
    assert note == ("engine auto: explicit (--max-errors keeps searching in the explicit "
                    "engine only)")


def unsupported_with_braces(system: GroundSystem) -> str:
    return "a {reason} from the spec"


def test_a_spec_reason_is_quoted_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    vec = replace(engines.get("vector"), module=__name__, supported="unsupported_with_braces")
    monkeypatch.setitem(engines.REGISTRY, "vector", vec)
    system = ground(irbuild.grid(2, 2))
    result = _run_engine("auto", system, CheckOptions())
    assert result.engine == "explicit"
    assert result.notes[0] == "engine auto: explicit (a {reason} from the spec)"
    result = _run_engine("vector", system, CheckOptions())
    assert result.engine == "explicit"
    assert result.notes[0] == ("vector engine cannot run this spec (a {reason} from the "
                               "spec); used explicit")


def test_renderer_questions_are_answered_by_the_registry() -> None:
    assert engines.shows_depth_only("bmc") and engines.shows_depth_only("kind")
    assert not engines.shows_depth_only("explicit") and not engines.shows_depth_only("simulate")
    assert engines.has("bmc", "bounded") and not engines.has("kind", "bounded")
    assert engines.depth_limit_hint("kind", ExitReason.DEPTH_LIMIT) is not None
    assert engines.depth_limit_hint("kind", ExitReason.TIME_LIMIT) is None
    assert engines.ok_line("bmc", Stats(depth=4)) == "no violation up to depth 4"
    assert engines.ok_line("explicit", Stats()) is None


def test_one_resolver_for_option_or_spec_default() -> None:
    system = ground(irbuild.grid(2, 2))  # check_deadlock=False, no locks, no liveness
    s = resolve(system, None)
    assert (s.deadlock, s.lock_order, s.liveness, s.symmetry) == (False, False, False, False)
    assert resolve(system, CheckOptions(deadlock=True)).deadlock is True
    on = replace(system, check_deadlock=True)
    assert resolve(on, CheckOptions()).deadlock is True
    assert resolve(on, CheckOptions(deadlock=False)).deadlock is False
    # no step of a thread acquires a lock: lock order is not wanted even when asked for
    assert resolve(system, CheckOptions(lock_order=True)).lock_order is False
