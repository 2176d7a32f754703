"""TLA+ models of tlaplus/Examples that use TLC's checking constructs, against TLC's published
counts (each .mms names its source file, commit and manifest): CONSTRAINT, initial predicates,
fairness on Next, action properties and temporal properties.

Depth rule (as tests/test_tla_counts.py): TLC counts the states of the longest shortest path
(an initial state has depth 1); mmspec counts its steps, so mmspec's depth is TLC's minus one.
"""
import pathlib

import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from mmspec.frontend import load_spec
from mmspec.ground import InitSpace, ground

TLA = pathlib.Path(__file__).resolve().parent / "tla"
# model -> (distinct, generated, TLC depth), from the repository's manifest.json
TLC = {
    "AsyncTerminationDetection": (4097, 53271, 14),  # CONSTRAINT, initial predicate, leadsto
    "CoffeeCan": (5150, 20002, 1),  # Init predicate, WF(Next), action and temporal properties
}


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
@pytest.mark.parametrize("name", sorted(TLC))
def test_matches_tlc(name, engine):
    system = ground(load_spec(str(TLA / f"{name}.mms")))
    assert isinstance(system.init, InitSpace)  # both start from an initial predicate
    r = engine.check(system, CheckOptions())
    distinct, generated, tlc_depth = TLC[name]
    assert r.verdict == "ok", r.violations  # deadlock checking on: no false deadlock
    assert r.stats.distinct_states == distinct
    assert r.stats.generated_states == generated
    assert r.stats.depth == tlc_depth - 1


def test_coffee_can_properties_are_checked(tmp_path):
    # Without WF(Next) the can may stop with beans to pick: every temporal property fails
    # (the action properties still hold); with
    # a wrong hypothesis (even white beans end in one white bean) HypothesisEven fails.
    text = (TLA / "CoffeeCan.mms").read_text().replace("MaxBeanCount = 100",
                                                        "MaxBeanCount = 6")
    f = tmp_path / "c.mms"
    f.write_text(text.replace("fair weak next", ""))
    r = explicit.check(ground(load_spec(str(f))), CheckOptions())
    assert [v.property for v in r.violations] == ["EventuallyTerminates", "HypothesisEven",
                                                   "HypothesisOdd"]
    f.write_text(text.replace("leadsto (black == 1 && white == 0)",
                              "leadsto (black == 0 && white == 1)"))
    r = vector.check(ground(load_spec(str(f))), CheckOptions())
    assert [v.property for v in r.violations] == ["HypothesisEven"]
    f.write_text(text.replace("black' + white' < BeanCount", "black' + white' > BeanCount"))
    r = explicit.check(ground(load_spec(str(f))), CheckOptions())
    assert r.violations[0].property == "MonotonicDecrease"
