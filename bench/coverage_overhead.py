"""What `--coverage` costs: the explicit search alone against the search plus its coverage
pass (checker/coverage.py replays every stored state through the compiled successor function).

    python bench/coverage_overhead.py            # GRID 4,6 and RWSEM 3,3 (seconds each)
    python bench/coverage_overhead.py --full     # GRID 5,6 and RWSEM 4,4

Prints, per model: states, median engine seconds of REPEATS runs without and with coverage
(interleaved, same process, same machine), states/s of each, and the ratio. Engine time
only (the `check` call: compiling, searching, counting), not process start-up.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from checker.explicit import check  # noqa: E402
from checker.options import CheckOptions  # noqa: E402
from mmspec.ground import ground  # noqa: E402
from tests.irbuild import grid, rwsem  # noqa: E402

REPEATS = 5
QUICK = [("grid 4,6", lambda: grid(4, 6)), ("rwsem 3,3", lambda: rwsem(3, 3))]
FULL = [("grid 5,6", lambda: grid(5, 6)), ("rwsem 4,4", lambda: rwsem(4, 4))]


def main() -> None:
    models = FULL if "--full" in sys.argv else QUICK
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, load "
          f"{os.getloadavg()[0]:.1f}; python {platform.python_version()}; "
          f"median of {REPEATS} (engine call time)")
    print(f"{'model':<12} {'states':>9} {'plain s':>9} {'coverage s':>11} "
          f"{'plain st/s':>11} {'cov st/s':>10} {'ratio':>6}  stop")
    for name, build in models:
        system = ground(build())
        plain, cov = [], []
        states = 0
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            r = check(system, CheckOptions())
            plain.append(time.perf_counter() - t0)
            states = r.stats.distinct_states
            t0 = time.perf_counter()
            r = check(system, CheckOptions(coverage=True))
            cov.append(time.perf_counter() - t0)
            assert r.stats.extra["coverage_counts"]["states"] == states
        p, c = statistics.median(plain), statistics.median(cov)
        print(f"{name:<12} {states:>9,} {p:>9.3f} {c:>11.3f} {states / p:>11,.0f} "
              f"{states / c:>10,.0f} {c / p:>6.2f}  {r.reason.value}")


if __name__ == "__main__":
    main()
