"""Parameterised confidence, measured: the largest configuration each engine proves in a budget.

For the per-VMA lock (specs/vma/vma_lock_refcnt.mms, READERS = 1, 2, ...) each engine runs
with the same per-run time limit, in order of size, until it first fails to prove:
- explicit: exhaustive search of this configuration (the verdict covers every reachable
  state, liveness and lock order included);
- kind: k-induction up to --depth (a proof for all depths of the safety properties);
- pdr: IC3 (inductive invariant for all depths: invariants, checks, ranges, deadlock).
The fork specs have no size parameter (two fixed threads), so they get one row each.

    python bench/prove.py [--time-limit 60] [--max-readers 4] [--depth 20]

Prints one row per run (engine, size, verdict, wall and CPU seconds) and a summary table
for docs/specs.md. CPU seconds are shown because the machine is shared: under load the wall
clock overstates the work (load average printed with the table).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checker.options import CheckOptions  # noqa: E402
from checker.result import ExitReason  # noqa: E402
from mmspec.frontend import load_spec  # noqa: E402
from mmspec.ground import ground  # noqa: E402

VMA = "specs/vma/vma_lock_refcnt.mms"
FORK = ["specs/fork_get_task_mm/fork_wrprotect_cmpxchg.mms",
        "specs/fork_get_task_mm/fork_wrprotect_handshake.mms"]
ENGINES = ("explicit", "kind", "pdr")


def run(engine: str, path: str, defines: dict[str, int], limit: float, depth: int
        ) -> tuple[bool, str, float, float]:
    """(proved, verdict text, wall s, cpu s) of one engine on one configuration."""
    system = ground(load_spec(path, defines))
    t, c = time.monotonic(), time.process_time()
    if engine == "explicit":
        from checker.explicit import check
        r = check(system, CheckOptions(time_limit=limit))
        proved = r.reason == ExitReason.DONE and not r.violations
        what = f"{r.reason.value}, {r.stats.distinct_states:,} states"
    elif engine == "kind":
        from checker.symbolic import check_kind
        r = check_kind(system, CheckOptions(time_limit=limit, depth=depth,
                                            liveness=False, lock_order=False))
        proved = bool(r.stats.extra.get("proved")) and not r.violations
        what = f"{r.reason.value}, k={r.stats.extra.get('k')}"
    else:
        from checker.symbolic import check_pdr
        r = check_pdr(system, CheckOptions(time_limit=limit, liveness=False,
                                           lock_order=False))
        proved = bool(r.stats.extra.get("proved")) and not r.violations
        what = f"{r.reason.value}, {len(r.stats.extra.get('invariant', []))} lemmas"
    return proved, what, time.monotonic() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--max-readers", type=int, default=4)
    ap.add_argument("--depth", type=int, default=20)
    args = ap.parse_args()
    print(f"# machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
          f"limit {args.time_limit:.0f} s per run; safety properties (pdr, kind) and the "
          "full check (explicit)")
    best: dict[str, int] = {}
    for engine in ENGINES:
        for n in range(1, args.max_readers + 1):
            ok, what, wall, cpu = run(engine, VMA, {"READERS": n}, args.time_limit, args.depth)
            print(f"vma_lock_refcnt READERS={n} {engine:8} {'proved' if ok else 'no proof':9} "
                  f"({what}) wall {wall:6.1f}s cpu {cpu:6.1f}s", flush=True)
            if not ok:
                break
            best[engine] = n
    fork: dict[tuple[str, str], str] = {}
    for path in FORK:
        for engine in ENGINES:
            ok, what, wall, cpu = run(engine, path, {}, args.time_limit, args.depth)
            name = os.path.basename(path)[:-4]
            print(f"{name} {engine:8} {'proved' if ok else 'no proof':9} ({what}) "
                  f"wall {wall:6.1f}s cpu {cpu:6.1f}s", flush=True)
            fork[(name, engine)] = f"{'yes' if ok else 'no'} ({wall:.1f} s)"
    print(f"\n| spec | {' | '.join(ENGINES)} |\n|---|" + "---|" * len(ENGINES))
    print("| vma_lock_refcnt: largest READERS proved | " +
          " | ".join(str(best.get(e, "none")) for e in ENGINES) + " |")
    for path in FORK:
        name = os.path.basename(path)[:-4]
        print(f"| {name} (2 threads, fixed) | " +
              " | ".join(fork[(name, e)] for e in ENGINES) + " |")
    print(f"\n# load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
