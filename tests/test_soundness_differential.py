"""The engines against the independent IR reference evaluator (tests/refeval.py, TLA+/TLC
semantics, no grounding) on generated specs with issue 11's hazards switched on: reads that
may leave a map's keys and divisors that may be zero, in steps and invariants, reads
protected by constant-per-binding guards, map-valued defs. tests/test_differential_ir.py
runs 2,000 specs without these hazards; bench/differential.py --features runs more."""
from __future__ import annotations

from tests.differential import Tally, check_text
from tests.specgen import Features, RandomChooser, spec_text

HAZARDS = Features(domain=True, domain_in_invariants=True, constant_guarded=True,
                   map_defs=True)
SPECS = 120
BMC_EVERY = 12


def test_engines_agree_with_the_reference_on_domain_hazards() -> None:
    tally = Tally()
    for seed in range(90_000, 90_000 + SPECS):
        text = spec_text(RandomChooser(seed), HAZARDS)
        engines = ("explicit", "vector", "bmc") if seed % BMC_EVERY == 0 else (
            "explicit", "vector")
        verdict = check_text(text, engines, bmc_cap=4)
        tally.add(text, verdict)
        assert verdict.ok, f"seed {seed}:\n  " + "\n  ".join(verdict.disagreements) + \
            "\n--- spec ---\n" + text
    assert tally.disagreeing == 0 and tally.judged >= SPECS * 9 // 10
    assert tally.kinds["domain"] >= 3 and tally.kinds["none"] >= 10, tally.kinds
