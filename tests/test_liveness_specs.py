"""End to end from `.mms` text: the examples of docs/liveness.md, through the front-end,
the reference graph builder and the liveness checker. Verdicts and lassos derived by hand
(the derivations are next to each case)."""
from pathlib import Path

import pytest

from checker.liveness import StateGraph, check_liveness
from checker.result import Violation
from mmspec.frontend import load_spec
from mmspec.ground import GroundSystem, ground
from tests.irbuild_liveness import check_lasso, explore

TOGGLE = """spec toggle
var flag: bool = false
var done: bool = false
process toggler fair { t: while true { flag := !flag } }
process worker WORKER { w: await flag
                      fin: done := true }
property finishes: eventually done
"""

SPIN = """spec spin
var flag: bool = false
var done: bool = false
process toggler fair { t: while true { flag := !flag } }
process worker fair strong { w: while !flag { skip }
                             fin: done := true }
property finishes: eventually done
"""

STARVE = """spec starve
rwsem sem PREF
process reader[r in 1..2] READERS { loop: while true { down_read(sem); up_read(sem) } }
process writer WRITER { want: down_write(sem)
                        holds: up_write(sem) }
property writer_progress: writer@want leadsto writer@holds
"""


def load(tmp_path: Path, text: str, **subst: str) -> tuple[GroundSystem, StateGraph]:
    for k, v in subst.items():
        text = text.replace(k, v)
    path = tmp_path / "spec.mms"
    path.write_text(text)
    system = ground(load_spec(str(path)))
    return system, explore(system)


def check(tmp_path: Path, text: str, **subst: str) -> tuple[list[Violation], GroundSystem,
                                                          StateGraph]:
    system, graph = load(tmp_path, text, **subst)
    return check_liveness(system, graph), system, graph


def who(v: Violation) -> list[str | None]:
    return [s.process for s in v.trace.steps]


def test_toggle_weak_fails_with_the_flag_alternating(tmp_path: Path) -> None:
    vs, system, graph = check(tmp_path, TOGGLE, WORKER="fair")
    [v] = vs
    assert who(v) == [None, "toggler", "toggler"]
    assert [s.state["flag"] for s in v.trace.steps] == [False, True, False]
    assert v.trace.loop == 0
    # P and Q are quoted from the source.
    assert v.message.startswith("eventually done is violated: a fair behaviour stays out of "
                                "done forever")
    check_lasso(system, graph, v.trace, stuttering=False)


def test_toggle_strong_holds(tmp_path: Path) -> None:
    vs, _, _ = check(tmp_path, TOGGLE, WORKER="fair strong")
    assert vs == []


def test_spinning_worker_strong_holds(tmp_path: Path) -> None:
    vs, _, _ = check(tmp_path, SPIN)
    assert vs == []


def test_writer_preference_with_everyone_fair_holds(tmp_path: Path) -> None:
    vs, _, _ = check(tmp_path, STARVE, PREF="writer_pref", READERS="fair", WRITER="fair")
    assert vs == []


def test_unfair_writer_starves_while_readers_take_turns(tmp_path: Path) -> None:
    # Want level: 4 reader states, fair for the readers (each always enabled, each moving).
    # Cycle from the initial state: reader[1] down_read, reader[2] down_read, then back by
    # reader[1] up_read, reader[2] up_read.
    vs, system, graph = check(tmp_path, STARVE, PREF="writer_pref", READERS="fair", WRITER="")
    [v] = vs
    assert who(v) == [None, "reader[1]", "reader[2]", "reader[1]", "reader[2]"]
    assert v.trace.loop == 0
    assert [len(s.state["sem.readers"]) for s in v.trace.steps] == [0, 1, 2, 1, 0]
    assert v.details["fairness"] == ["reader[1]", "reader[2]"]
    assert v.message.startswith("writer@want leads to writer@holds is violated")
    check_lasso(system, graph, v.trace, stuttering=False)


def test_unfair_reader_sits_on_the_lock(tmp_path: Path) -> None:
    # Writer fair, readers not: reader[1] takes the read lock, the writer queues, and then
    # nothing fair is enabled (the writer waits for the reader, who never runs again).
    vs, system, graph = check(tmp_path, STARVE, PREF="writer_pref", READERS="", WRITER="fair")
    [v] = vs
    assert who(v) == [None, "reader[1]", "writer"]
    assert v.trace.loop == 2
    assert v.details["stuttering"] is True
    check_lasso(system, graph, v.trace, stuttering=True)


@pytest.mark.parametrize("writer", ["fair", "fair strong"])
def test_without_writer_preference_overlapping_readers_starve_the_writer(
        tmp_path: Path, writer: str) -> None:
    # No queueing: down_write is one step, enabled only while the lock is free.
    # Weak: the whole want level is fair (the writer is disabled while a reader is in); the
    # cycle from the initial state is r1 in, r2 in, r1 out, r2 out (the lock is free at the
    # loop's start, which weak fairness allows). Strong: the free state is dropped; the core
    # is the three states with a reader inside, first reached by r1's down_read; from there
    # reader[1]'s first internal edge needs r2 in first: r2 in, r1 out, then back: r1 in,
    # r2 out. The lock is never free inside that loop.
    vs, system, graph = check(tmp_path, STARVE, PREF="", READERS="fair", WRITER=writer)
    [v] = vs
    readers = [len(s.state["sem.readers"]) for s in v.trace.steps]
    if writer == "fair":
        assert who(v) == [None, "reader[1]", "reader[2]", "reader[1]", "reader[2]"]
        assert v.trace.loop == 0
        assert readers == [0, 1, 2, 1, 0]
    else:
        assert who(v) == [None, "reader[1]", "reader[2]", "reader[1]", "reader[1]",
                          "reader[2]"]
        assert v.trace.loop == 1
        assert readers == [0, 1, 2, 1, 2, 1]
    check_lasso(system, graph, v.trace, stuttering=False)
