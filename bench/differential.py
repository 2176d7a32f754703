"""Differential run at scale: generated specs, every engine against the reference evaluator.

    python bench/differential.py                       # 5000 specs, bmc on each
    python bench/differential.py --specs 500 --features domain,constant_guarded
    python bench/differential.py --show 3              # print the first 3 disagreeing specs

The larger sibling of tests/test_differential_ir.py (same generator, tests/specgen.py, and
same judge, tests/differential.py): each spec is generated from seed START + k, loaded through
the front-end, checked by explicit, vector and bmc (to the reachable diameter, at most
--bmc-cap), and each result is judged against tests/refeval.py. Printed: specs judged and
skipped (over the reference's state budget), disagreeing specs, the first violation kinds
the reference found, the vector engine's explicit refusals, specs whose reference computed
an integer beyond 64 bits, and CPU milliseconds per spec. Exit status 1 on any disagreement.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.differential import BMC_CAP, ENGINES, Tally, check_text  # noqa: E402
from tests.specgen import Features, RandomChooser, spec_text  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--specs", type=int, default=5000)
    ap.add_argument("--start", type=int, default=0, help="first generator seed")
    ap.add_argument("--features", default="",
                    help="comma-separated: " + ", ".join(Features.__dataclass_fields__))
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--bmc-cap", type=int, default=BMC_CAP)
    ap.add_argument("--show", type=int, default=1, help="disagreeing specs to print")
    args = ap.parse_args(argv)
    names = [f for f in args.features.split(",") if f]
    unknown = set(names) - set(Features.__dataclass_fields__)
    if unknown:
        ap.error(f"unknown features: {', '.join(sorted(unknown))}")
    features = Features(**{f: True for f in names})
    engines = tuple(e for e in args.engines.split(",") if e)

    tally = Tally()
    seen: set[str] = set()
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    for seed in range(args.start, args.start + args.specs):
        text = spec_text(RandomChooser(seed), features)
        if text in seen:
            continue
        seen.add(text)
        verdict = check_text(text, engines, bmc_cap=args.bmc_cap)
        tally.add(text, verdict)
        if not verdict.ok and tally.disagreeing <= args.show:
            print(f"--- seed {seed}: " + "\n    ".join(verdict.disagreements))
            print(text)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0

    print(f"features: {', '.join(names) or 'none (what every engine supports today)'}")
    print(f"engines: {', '.join(engines)} (bmc to the diameter, at most {args.bmc_cap})")
    print(f"{'specs generated':<28}{args.specs:>8}")
    print(f"{'distinct specs':<28}{len(seen):>8}")
    print(f"{'judged':<28}{tally.judged:>8}")
    print(f"{'skipped (state budget)':<28}{tally.skipped:>8}")
    print(f"{'disagreeing specs':<28}{tally.disagreeing:>8}")
    print(f"{'vector refusals (explicit)':<28}{tally.refusals:>8}")
    print(f"{'certain domain errors (MMS3xx)':<28}{tally.static_refusals:>8}")
    print(f"{'integers beyond 64 bits':<28}{tally.over_64_bits:>8}")
    print("kinds found at the shortest violating depth (a spec may count twice):")
    for kind, n in sorted(tally.kinds.items(), key=lambda kv: -kv[1]):
        print(f"  {kind if kind != 'none' else 'no violation':<26}{n:>8}")
    if tally.states:
        st, dp = sorted(tally.states), sorted(tally.depths)
        print(f"{'reference states':<28}median {st[len(st) // 2]}, max {st[-1]}; "
              f"depth median {dp[len(dp) // 2]}, max {dp[-1]}")
    per = 1000 / max(len(seen), 1)
    print(f"{'CPU ms per spec':<28}{cpu * per:>8.1f}   (wall {wall * per:.1f} ms; "
          f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")
    return 1 if tally.disagreeing else 0


if __name__ == "__main__":
    sys.exit(main())
