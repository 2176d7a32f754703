"""Vectorised engine benchmark: distinct states/s, peak RSS and bytes per visited state.

    python bench/vector_probe.py                 # the four issue models, median of 3 runs
    python bench/vector_probe.py --runs 1 --models grid:6:9

Each run is a fresh subprocess (so peak RSS is that run's alone) that grounds the model from
tests/irbuild.py, then times `checker.vector.check` only. Reported per model, for the median
run by rate: distinct states, wall and CPU seconds, distinct states per second (wall), peak
RSS, and two bytes-per-state figures: the engine's own structures (visited keys, filter and
parent links: `stats.extra["bytes_per_state"]`) and the whole process growth over the run
((peak RSS - RSS before the check) / distinct states). The 1-minute load average before and
after is printed too: the machine is shared, so compare CPU seconds when it is busy.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["grid:6:9", "grid:7:9", "rwsem:5:6", "rwsem:5:9"]
TARGETS = {"grid:6:9": 1.4e6, "grid:7:9": 0.7e6, "rwsem:5:9": 1.3e6}  # distinct states/s


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def one(model: str) -> dict:
    """Run one model in this process and return its figures."""
    sys.path.insert(0, str(ROOT))
    from checker.options import CheckOptions
    from checker.vector import check
    from mmspec.ground import ground
    from tests import irbuild

    name, a, b = model.split(":")
    system = ground(getattr(irbuild, name)(int(a), int(b)))
    before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    r = check(system, CheckOptions())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = r.stats.distinct_states
    return {"model": model, "verdict": r.verdict, "distinct": n, "depth": r.stats.depth,
            "seconds": wall, "cpu_seconds": cpu, "rate": n / wall, "cpu_rate": n / cpu,
            "peak_rss_mb": peak, "rss_before_mb": before,
            "engine_bytes_per_state": r.stats.extra["bytes_per_state"],
            "engine_peak_bytes_per_state": r.stats.extra["peak_bytes_per_state"],
            "rss_bytes_per_state": (peak - before) * 2**20 / n}


def measure(model: str, runs: int) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--one", model], capture_output=True,
                             text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    results.sort(key=lambda x: x["rate"])
    med = dict(results[len(results) // 2])
    med["rates"] = [round(x["rate"]) for x in results]
    med["cpu_rate_median"] = statistics.median(x["cpu_rate"] for x in results)
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="*", default=MODELS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    load0 = os.getloadavg()[0]
    rows = [measure(m, args.runs) for m in args.models]
    load1 = os.getloadavg()[0]
    print(f"vectorised engine, median of {args.runs} fresh-process runs; "
          f"load average {load0:.2f} before, {load1:.2f} after; {os.cpu_count()} cpus")
    head = (f"{'model':<11} {'distinct':>10} {'depth':>5} {'wall s':>7} {'cpu s':>6} "
            f"{'states/s':>10} {'cpu st/s':>10} {'target':>8} {'peak MB':>8} "
            f"{'B/st eng':>8} {'B/st rss':>8}")
    print(head)
    print("-" * len(head))
    for r in rows:
        target = TARGETS.get(r["model"])
        print(f"{r['model']:<11} {r['distinct']:>10,} {r['depth']:>5} {r['seconds']:>7.2f} "
              f"{r['cpu_seconds']:>6.2f} {r['rate']:>10,.0f} {r['cpu_rate_median']:>10,.0f} "
              f"{(f'{target / 1e6:.1f}M') if target else '-':>8} {r['peak_rss_mb']:>8.0f} "
              f"{r['engine_bytes_per_state']:>8.1f} {r['rss_bytes_per_state']:>8.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"load": [load0, load1], "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
