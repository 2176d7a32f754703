"""Classic TLA+ specs, translated at their original atomicity, against TLC's published counts.

Figures from tlaplus/Examples (see tests/test_frontend_tla.py for the sources): TwoPhase with
three resource managers, 288 distinct states, 1146 generated, depth 11; Peterson, 42
distinct, 77 generated, depth 11. TLC's depth counts states on the longest shortest path
(initial state = depth 1); ours counts steps, so ours is TLC's minus one.
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
