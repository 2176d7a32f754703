"""Weak versus strong fairness, writer starvation, and lassos that must take a given edge.

Every expected verdict and lasso below is derived by hand in the comment above it; the
lasso rules (docs/liveness.md): shortest prefix to the first trigger in BFS order, shortest
path inside not-Q to the nearest fair core, then waypoints in the order of the fairness
constraints, then the shortest way back.
"""
import pytest

from checker.liveness import check_liveness
from tests.irbuild_liveness import (build, check_lasso, column, detour, labels,
                                    rwsem_starvation, shuttle, toggle_wait, two_sccs)


def run(spec):  # type: ignore[no-untyped-def]
    system, graph = build(spec)
    return check_liveness(system, graph), system, graph


# --------------------------------------------------------------------------- weak vs strong


def test_toggle_without_fairness_stutters_at_once() -> None:
    vs, system, graph = run(toggle_wait(None, None))
    assert len(vs) == 1
    assert column(vs[0].trace, "flag") == [False]
    assert vs[0].trace.loop == 0
    assert vs[0].details["stuttering"] is True
    check_lasso(system, graph, vs[0].trace, stuttering=True)


def test_weak_fairness_is_not_enough_for_an_intermittent_step() -> None:
    # Not-done states: (flag=F), (flag=T). The toggler is enabled in both and toggles between
    # them; the worker is enabled only at flag=T, so weak fairness is met by visiting flag=F.
    # Lasso: F -toggle-> T -toggle-> F, looping on the initial state.
    vs, system, graph = run(toggle_wait("weak", "weak"))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "toggler: toggle", "toggler: toggle"]
    assert column(t, "flag") == [False, True, False]
    assert column(t, "done") == [False, False, False]
    assert t.loop == 0
    # The loop is states 0 (flag=F) and 1 (flag=T): the worker is enabled at 1 only and never
    # moves, so strong fairness (not weak) would exclude this loop: the hint says so.
    assert vs[0].details == {"fairness": ["toggler", "worker"], "stuttering": False,
                             "trigger": 0,
                             "hints": ["worker is enabled at state 1 of the loop but never "
                                       "continuously, and never takes a step: weak fairness "
                                       "allows this; `fair strong` on worker would rule this "
                                       "behaviour out"]}
    check_lasso(system, graph, t, stuttering=False)


def test_strong_fairness_finishes_the_intermittent_step() -> None:
    # Strong: the worker is enabled infinitely often on that cycle and never taken, so the
    # refinement removes flag=T; {flag=F} alone has no internal edge and stuttering there is
    # unfair (the toggler is enabled). No fair not-done behaviour is left.
    vs, _, _ = run(toggle_wait("weak", "strong"))
    assert vs == []


def test_strong_worker_alone_is_not_enough() -> None:
    # Without fairness for the toggler, the system may stop at flag=F, where the worker is
    # disabled: stuttering there is fair.
    vs, system, graph = run(toggle_wait(None, "strong"))
    assert len(vs) == 1
    assert column(vs[0].trace, "flag") == [False]
    assert vs[0].details["stuttering"] is True
    check_lasso(system, graph, vs[0].trace, stuttering=True)


def test_busy_wait_self_loop_is_stuttering_not_progress() -> None:
    # The worker spins (a step that changes nothing) while the flag is down. A spin step is a
    # stutter step: it neither enables the worker nor counts as the worker moving. So strong
    # fairness still forces `finish`, and weak fairness still fails with the same lasso
    # (no spin steps in it).
    vs, _, _ = run(toggle_wait("weak", "strong", spin=True))
    assert vs == []
    vs, system, graph = run(toggle_wait("weak", "weak", spin=True))
    assert len(vs) == 1
    assert labels(vs[0].trace) == [None, "toggler: toggle", "toggler: toggle"]
    assert vs[0].trace.loop == 0
    check_lasso(system, graph, vs[0].trace, stuttering=False)


# --------------------------------------------------------------------------- writer starvation


def test_writer_starves_without_fairness() -> None:
    # The writer wants the lock in the initial state and nothing forces anyone to move.
    vs, system, graph = run(rwsem_starvation(True, None, None))
    assert [v.property for v in vs] == ["writer_progress"]
    t = vs[0].trace
    assert len(t) == 1 and t.loop == 0
    assert t.steps[0].state["wpc"] == "want"
    assert vs[0].details["stuttering"] is True
    check_lasso(system, graph, t, stuttering=True)


def test_readers_take_turns_while_an_unfair_writer_waits() -> None:
    # Readers weakly fair, writer not. The want-level SCC (4 reader states) is fair: each
    # reader is always enabled (enter or exit) and takes steps in it. Cycle from the initial
    # state: reader[1]'s first edge (enter), then reader[2]'s (enter), then back: exits.
    vs, system, graph = run(rwsem_starvation(True, "weak", None))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "reader[1]: enter", "reader[2]: enter", "reader[1]: exit",
                         "reader[2]: exit"]
    assert column(t, "nread") == [0, 1, 2, 1, 0]
    assert set(column(t, "wpc")) == {"want"}
    assert t.loop == 0
    assert vs[0].details["fairness"] == ["reader[1]", "reader[2]"]
    check_lasso(system, graph, t, stuttering=False)


def test_unfair_readers_may_sit_on_the_lock_forever() -> None:
    # Writer weakly fair, readers not: a reader may stay inside forever. BFS from the initial
    # state finds (reader[1] in cs, writer queued) at depth 2: the writer is disabled there
    # (nread = 1) and readers are not fair, so stuttering there is fair.
    vs, system, graph = run(rwsem_starvation(True, None, "weak"))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "reader[1]: enter", "writer: queue"]
    assert t.loop == 2
    assert vs[0].details["stuttering"] is True
    check_lasso(system, graph, t, stuttering=True)


@pytest.mark.parametrize("kind", ["weak", "strong"])
def test_writer_preference_with_fairness_everywhere_gets_the_writer_in(kind: str) -> None:
    # The writer must queue (enabled throughout the want level); once queued no reader can
    # enter, fair readers leave, and the writer's acquire stays enabled until taken.
    vs, _, _ = run(rwsem_starvation(True, kind, kind))
    assert vs == []


def test_without_writer_preference_overlapping_readers_starve_a_strong_writer() -> None:
    # Queued-level SCC: all four reader states. The writer (strong) is enabled only at
    # nread = 0 and never taken inside, so that state is dropped; the three states with a
    # reader inside stay strongly connected (readers hand the lock over while overlapping)
    # and are fair. Prefix: enter r1 then queue reaches that core at depth 2. Cycle from
    # (r1 in, r2 out): reader[1] has no internal edge there (its exit would free the lock),
    # so go r2 enter, then r1 exit; back: r1 enter, r2 exit.
    vs, system, graph = run(rwsem_starvation(False, "weak", "strong"))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "reader[1]: enter", "writer: queue", "reader[2]: enter",
                         "reader[1]: exit", "reader[1]: enter", "reader[2]: exit"]
    assert column(t, "nread") == [0, 1, 1, 2, 1, 2, 1]
    assert t.loop == 2
    assert t.steps[-1].state == t.steps[2].state
    assert 0 not in column(t, "nread")[2:]  # the lock is never free inside the loop
    check_lasso(system, graph, t, stuttering=False)


def test_without_writer_preference_weak_fairness_fails_too() -> None:
    vs, system, graph = run(rwsem_starvation(False, "weak", "weak"))
    assert len(vs) == 1
    check_lasso(system, graph, vs[0].trace, stuttering=False)


# --------------------------------------------------------------------------- required edges


@pytest.mark.parametrize("kind", [None, "weak"])
def test_detour_not_needed_unless_strong(kind: str | None) -> None:
    # Fair cycle 0 -> 1 -> 0 by p's step; Detour is enabled only at 1, so weak fairness is
    # met by visiting 0, and without fairness it does not matter.
    vs, system, graph = run(detour(kind))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "p: step", "p: step"]
    assert column(t, "x") == [0, 1, 0]
    assert t.loop == 0
    check_lasso(system, graph, t, stuttering=False)


def test_strong_fairness_puts_its_edge_in_the_cycle() -> None:
    # Detour (strong) is enabled at 1 on every cycle through 1, so the lasso must take it:
    # 0 -step-> 1 (p's waypoint), -Detour-> 2 (Detour's waypoint), -back-> 0.
    vs, system, graph = run(detour("strong"))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "p: step", "Detour", "p: back"]
    assert column(t, "x") == [0, 1, 2, 0]
    assert t.loop == 0
    check_lasso(system, graph, t, stuttering=False)


# --------------------------------------------------------------------------- several SCCs


@pytest.mark.parametrize("win", [None, "weak"])
def test_unfair_first_scc_fair_second(win: str | None) -> None:
    # {0,1}: Leave is enabled throughout and never taken inside: unfair, and stuttering there
    # is unfair. {2,3}: Loop2 enabled throughout and taken; Win (if weak) is disabled at 2.
    # Lasso: 0 -Leave-> 2, then the cycle 2 -Loop2-> 3 -Loop2-> 2.
    vs, system, graph = run(two_sccs(win))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "Leave", "Loop2", "Loop2"]
    assert column(t, "x") == [0, 2, 3, 2]
    assert t.loop == 1
    check_lasso(system, graph, t, stuttering=False)


def test_strong_win_leaves_no_fair_scc() -> None:
    # Win strong: refinement drops 3, {2} has no internal edge and Loop2 is enabled there.
    vs, _, _ = run(two_sccs("strong"))
    assert vs == []


def test_streett_refinement_finds_the_fair_sub_cycle() -> None:
    # SCC {0,1,2} of not-Q; Exit (strong) is enabled at 2 and never taken inside, so state 2
    # is removed and {0,1} remains, fair. From the initial x = 2: dec to 1 (the nearest core
    # state), then m's waypoint (its first internal edge from 1 is dec to 0), back by inc.
    vs, system, graph = run(shuttle("strong"))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "m: dec", "m: dec", "m: inc"]
    assert column(t, "x") == [2, 1, 0, 1]
    assert t.loop == 1
    check_lasso(system, graph, t, stuttering=False)


@pytest.mark.parametrize("kind", [None, "weak"])
def test_without_strong_exit_the_whole_scc_is_fair(kind: str | None) -> None:
    # {0,1,2} is fair as a whole (Exit, if weak, is disabled at 0 and 1). The cycle starts
    # at the initial state 2: m's first edge from 2 is dec (inc is disabled at 2), which
    # lands on 1 where Exit is disabled; back by inc.
    vs, system, graph = run(shuttle(kind))
    assert len(vs) == 1
    t = vs[0].trace
    assert labels(t) == [None, "m: dec", "m: inc"]
    assert column(t, "x") == [2, 1, 2]
    assert t.loop == 0
    check_lasso(system, graph, t, stuttering=False)
