"""The initial-state search (issue 19): 10^7 initial states from an `initial` predicate.

    python bench/initstates.py                  # median of 3 runs of each row
    python bench/initstates.py --size 40 --repeat 1

The model: four variables over 0..SIZE-1 with no initialiser and `initial Distinct: a != b`
(SIZE = 57: 57^4 = 10,556,001 candidates, 10,370,808 initial states, hand count 57^4 * 56/57),
no actions, deadlock checking off. Rows, each a fresh process (`mmspec check` whole-process
wall time, and its peak RSS from the child's rusage):
  enumerate           checker/initstates.batches alone (in this process): candidates/s
  vector              mmspec check --engine vector: the whole run (initial level stored)
  explicit            mmspec check --engine explicit (--explicit to include it: slower)
Engine time is the JSON `seconds`. The load average is printed: figures on a busy machine
mean little.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def model(size: int) -> str:
    return (f"spec InitBench\nconst S = {size}\nvar a: 0..S - 1\nvar b: 0..S - 1\n"
            "var c: 0..S - 1\nvar d: 0..S - 1\ninitial Distinct: a != b\n"
            "option deadlock = false\n")


def enumerate_row(path: str) -> tuple[float, int, int]:
    from checker import initstates
    from mmspec.frontend import load_spec
    from mmspec.ground import ground
    space = ground(load_spec(path)).init
    t = time.perf_counter()
    n = sum(len(b.index) for b in initstates.batches(space))
    return time.perf_counter() - t, n, space.size


def check_row(path: str, engine: str) -> tuple[float, float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", path, "--engine",
                          engine, "--format", "json"], cwd=ROOT, capture_output=True,
                         text=True, check=False)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    d = json.loads(out.stdout)
    assert d["result"] == "ok", d
    return wall, float(d["seconds"]), max(peak, before) / 1024, int(d["distinct_states"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=57)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--explicit", action="store_true")
    args = ap.parse_args()
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "initbench.mms")
        Path(path).write_text(model(args.size))
        runs = [enumerate_row(path) for _ in range(args.repeat)]
        sec = statistics.median(r[0] for r in runs)
        n, cand = runs[0][1], runs[0][2]
        print(f"{'row':10} {'states':>12} {'wall s':>8} {'engine s':>9} {'states/s':>12} "
              f"{'peak MB':>8}")
        print(f"{'enumerate':10} {n:>12,} {sec:>8.2f} {'':>9} {n / sec:>12,.0f} {'':>8}"
              f"   ({cand:,} candidates)")
        for engine in ["vector"] + (["explicit"] if args.explicit else []):
            rs = [check_row(path, engine) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in rs)
            eng = statistics.median(r[1] for r in rs)
            peak = max(r[2] for r in rs)
            print(f"{engine:10} {rs[0][3]:>12,} {wall:>8.2f} {eng:>9.2f} "
                  f"{rs[0][3] / eng:>12,.0f} {peak:>8.0f}   "
                  f"({peak * 2**20 / rs[0][3]:.0f} bytes/state peak)")


if __name__ == "__main__":
    main()
