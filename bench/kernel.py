"""The kernel-spec benchmark: explicit vs vector on specs/vma with lock order and liveness on.

    python bench/kernel.py                 # vma_lock_refcnt at READERS=3,4,5, 3 repeats
    python bench/run.py --kernel           # the same
    python bench/kernel.py --readers 3 4 --repeat 5 --spec specs/vma/vma_lock_seq_only.mms
    python bench/kernel.py --readers 5 --engines vector   # the memory target alone
    python bench/kernel.py --readers 5 --engines vector --engine-only --baseline /work/main

Per engine and size, two kinds of fresh process, each --repeat times (medians shown):
- the real CLI, `python -m mmspec.cli check SPEC -D READERS=R --engine E --format json`,
  timed by this parent from spawn to exit: `proc s` and `proc st/s` (whole process:
  interpreter start-up, imports, parsing, the search, lock order, liveness, output);
- a child that loads the spec, notes its resident memory, then runs the engine's check:
  `engine s` / `eng st/s` (the check alone) and `peak MB` (the process's peak RSS) and
  `B/state`: (peak RSS - RSS before the check) / distinct states, everything the check
  kept (visited set, parent links, the liveness graph, the analysis's temporaries); the
  engine's imports (for vector: numpy and scipy.sparse.csgraph, ~27 MB) count as start-up
  there, while `B/st+imp` counts them too (RSS measured before the engine was imported).
Every run must report the same distinct states, generated states, depth and verdict for both
engines, or the table says MISMATCH. The last line gives the vector/explicit ratio of
whole-process time per size.

`--baseline DIR` also runs the engine-only child of another checkout of this repository (its
own bench/kernel.py, with DIR as the working directory, so DIR's code is imported) in the same
run, alternating with this checkout's run by run, and prints its rows as `ENGINE@base`: like
with like under the same load. `--engine-only` skips the whole-process CLI runs (the `proc`
columns show `-`). Lock order and liveness are on as the spec says (both are on in
specs/vma: every spec there has a liveness property; vma_lock_refcnt takes no lock, so its
lock-order pass finds no acquiring step).
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
from typing import Any

from run import machine  # bench/ is sys.path[0] when a bench script runs

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/vma/vma_lock_refcnt.mms"
ENGINES = ("explicit", "vector")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(engine: str, spec: str, readers: int) -> dict[str, Any]:
    """One engine-only measurement, in this fresh process."""
    sys.path.insert(0, str(ROOT))
    from checker.options import CheckOptions
    from mmspec.frontend import load_spec
    from mmspec.ground import ground
    system = ground(load_spec(spec, {"READERS": readers}))
    rss_spec = rss_mb()  # the spec loaded, the engine not imported yet
    if engine == "explicit":
        from checker.explicit import check
    else:
        import scipy.sparse.csgraph  # type: ignore[import-untyped]  # noqa: F401 - start-up
        from checker.vector import check
    rss0 = rss_mb()
    t0 = time.perf_counter()
    r = check(system, CheckOptions())
    secs = time.perf_counter() - t0
    return {"distinct": r.stats.distinct_states, "generated": r.stats.generated_states,
            "depth": r.stats.depth, "verdict": r.verdict, "engine_seconds": secs,
            "rss_spec_mb": rss_spec, "rss0_mb": rss0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "violations": [v.kind for v in r.violations]}


def run_child(engine: str, spec: str, readers: int, root: Path = ROOT) -> dict[str, Any]:
    """The engine-only measurement in a fresh process, of the checkout at `root`."""
    cmd = [sys.executable, str(root / "bench" / "kernel.py"), "--child", engine, spec,
           str(readers)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def run_cli(engine: str, spec: str, readers: int) -> dict[str, Any]:
    """The whole process, as a user runs it: wall time from spawn to exit, its peak RSS."""
    cmd = [sys.executable, "-m", "mmspec.cli", "check", spec, "-D", f"READERS={readers}",
           "--engine", engine, "--format", "json"]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        return {"error": (err.decode().strip().splitlines() or ["failed"])[-1]}
    data = json.loads(out)
    rec = data[0] if isinstance(data, list) else data
    return {"proc_seconds": wall, "engine": rec["engine"], "distinct": rec["distinct_states"],
            "result": rec["result"]}


def _commit(root: Path) -> str:
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                            "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    return (out.stdout.strip() or "?") + (" +uncommitted changes" if dirty else "")


def _row(readers: int, label: str, eng: list[dict[str, Any]],
         cli: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Print one table row (medians) and return it, or None if a run failed."""
    bad = [r for r in eng + cli if "error" in r]
    if bad:
        print(f"{readers:>7} {label:<14} failed: {bad[0]['error']}")
        return None
    engine = label.split("@")[0]
    if any(r["engine"] != engine for r in cli):
        print(f"{readers:>7} {label:<14} the CLI ran {cli[0]['engine']}: see its notes")
        return None
    row = {
        "distinct": eng[0]["distinct"],
        "key": (eng[0]["distinct"], eng[0]["generated"], eng[0]["depth"],
                eng[0]["verdict"], tuple(eng[0]["violations"])),
        "proc": statistics.median(r["proc_seconds"] for r in cli) if cli else None,
        "engine": statistics.median(r["engine_seconds"] for r in eng),
        "peak": statistics.median(r["peak_mb"] for r in eng),
        "bps": statistics.median((r["peak_mb"] - r["rss0_mb"]) * 2**20
                                 / max(1, r["distinct"]) for r in eng),
        "bps_imp": statistics.median((r["peak_mb"] - r["rss_spec_mb"]) * 2**20
                                     / max(1, r["distinct"]) for r in eng),
    }
    d = row["distinct"]
    proc = (f"{row['proc']:>9.2f}{d / row['proc']:>11,.0f}" if row["proc"] is not None
            else f"{'-':>9}{'-':>11}")
    print(f"{readers:>7} {label:<14}{d:>11,}{proc}{row['engine']:>10.2f}"
          f"{d / row['engine']:>11,.0f}{row['peak']:>9.0f}{row['bps']:>9.1f}"
          f"{row['bps_imp']:>9.1f}")
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=SPEC)
    ap.add_argument("--readers", type=int, nargs="+", default=[3, 4, 5])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES),
                    help="engines to run (default both; READERS=5 on explicit needs ~7 GB)")
    ap.add_argument("--baseline", type=Path, metavar="DIR",
                    help="another checkout whose engine-only runs alternate with these")
    ap.add_argument("--engine-only", action="store_true",
                    help="skip the whole-process CLI runs")
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "SPEC", "READERS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine, spec, readers = args.child
        print(json.dumps(child(engine, spec, int(readers))))
        return 0
    print(f"machine: {machine()}")
    print(f"{args.spec}, lock order and liveness on; median of {args.repeat} fresh processes "
          f"per cell")
    head = (f"{'READERS':>7} {'engine':<14}{'distinct':>11}{'proc s':>9}{'proc st/s':>11}"
            f"{'engine s':>10}{'eng st/s':>11}{'peak MB':>9}{'B/state':>9}{'B/st+imp':>9}")
    print(head)
    print("-" * len(head))
    if args.baseline is not None:
        print(f"baseline: {args.baseline.resolve()} ({_commit(args.baseline)}), this checkout: "
              f"{_commit(ROOT)}")
    failed = False
    for readers in args.readers:
        rows: dict[str, dict[str, Any]] = {}
        for engine in args.engines:
            eng, base = [], []
            for _ in range(args.repeat):  # alternating: both see the same load
                if args.baseline is not None:
                    base.append(run_child(engine, args.spec, readers, args.baseline.resolve()))
                eng.append(run_child(engine, args.spec, readers))
            cli = [] if args.engine_only else [run_cli(engine, args.spec, readers)
                                               for _ in range(args.repeat)]
            for label, runs, procs in ((f"{engine}@base", base, []), (engine, eng, cli)):
                if not runs:
                    continue
                row = _row(readers, label, runs, procs)
                if row is None:
                    failed = True
                    continue
                rows[label] = row
        if "explicit" in rows and "vector" in rows:
            a, b = rows["explicit"], rows["vector"]
            if a["key"] != b["key"]:
                print(f"{readers:>7} MISMATCH: explicit {a['key']} vector {b['key']}")
                failed = True
            if a["proc"] is not None and b["proc"] is not None:
                print(f"{readers:>7} vector/explicit whole-process time "
                      f"{b['proc'] / a['proc']:.3f} (engine only {b['engine'] / a['engine']:.3f})")
        for engine in args.engines:
            old, new = rows.get(f"{engine}@base"), rows.get(engine)
            if old is not None and new is not None and old["key"] != new["key"]:
                print(f"{readers:>7} MISMATCH: {engine}@base {old['key']} {engine} {new['key']}")
                failed = True
    print(f"after: {machine()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
