"""Classic TLA+ specs, translated at their original atomicity, against TLC's published counts.

Figures from tlaplus/Examples (see tests/test_frontend_tla.py for the sources): TwoPhase with
three resource managers, 288 distinct states, 1146 generated, depth 11; Peterson, 42
distinct, 77 generated, depth 11. TLC's depth counts states on the longest shortest path
(initial state = depth 1); ours counts steps, so ours is TLC's minus one. The other models'
sources and figures (tlaplus/Examples manifest.json files) are in each .mms file's header.
"""
import pathlib

import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from mmspec.frontend import load_spec
from mmspec.ground import ground

TLA = pathlib.Path(__file__).resolve().parent / "tla"
TLC = {"TwoPhase": (288, 1146, 11), "Peterson": (42, 77, 11)}
# ReadersWriters (MC.cfg, NumActors = 3; source commit in the .mms): a FIFO request queue
TLC["ReadersWriters"] = (21527, 59674, 13)
# Echo (MCEcho.cfg: sets of message records), TCommit (TCommit.cfg), Lock (Lock.cfg)
TLC["Echo"] = (75, 116, 16)
TLC["TCommit"] = (34, 94, 7)
TLC["Lock"] = (12, 21, 5)
# CigaretteSmokers (CigaretteSmokers.cfg): CHOOSE, and `dealer' \in Offers` as a pick
TLC["CigaretteSmokers"] = (6, 15, 2)


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
@pytest.mark.parametrize("name", sorted(TLC))
def test_matches_tlc(name, engine):
    system = ground(load_spec(str(TLA / f"{name}.mms")))
    r = engine.check(system, CheckOptions())
    distinct, generated, tlc_depth = TLC[name]
    assert r.verdict == "ok", r.violations
    assert r.stats.distinct_states == distinct
    assert r.stats.generated_states == generated
    assert r.stats.depth == tlc_depth - 1


@pytest.mark.parametrize("name", ["Echo", "TCommit", "Lock", "CigaretteSmokers"])
def test_reference_evaluator_agrees(name):
    """The independent tree-walking evaluator (tests/refeval.py) finds TLC's distinct states
    and depth too, without the ground form (sets of records as sets of records)."""
    from tests.refeval import Model, bfs
    ref = bfs(Model(load_spec(str(TLA / f"{name}.mms")), deadlock=False))
    distinct, _, tlc_depth = TLC[name]
    assert ref.complete
    assert (ref.distinct, ref.depth) == (distinct, tlc_depth - 1)
