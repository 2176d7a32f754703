"""Benchmarks: distinct states per second on GRID and RWSEM, against TLC's published rates.

    python bench/run.py                    # GRID 6,9 and 7,9; RWSEM 5,6 and 5,9
    python bench/run.py --quick            # small sizes, a few seconds
    python bench/run.py --engine all --repeat 5

Every measurement runs in a fresh subprocess (so peak RSS is that run's), the table shows
the median of --repeat runs, wall-clock and CPU seconds (the machine is shared: CPU seconds
show what the engine costs when other work competes for the cores), and two baselines timed
in the same run: `handwritten` (bench/handwritten.py: each model coded by hand as a plain
dict-of-tuples BFS; the "x hand" column divides by its rate) and `baseline`
(bench/baseline.py: a generic BFS over the ground form with closures, capped at
--baseline-cap states; its rate is measured over the states it explored).

Columns: `engine s` / `eng st/s` time the check alone (spec already loaded); `proc s` /
`proc st/s` the whole process (interpreter start-up, imports, parsing, the check), as the
parent saw it. TLC's reference rates are whole-process figures (JVM start-up included), so
`x TLC` divides the whole-process rate by them: like with like. (It used to divide the
engine-only rate, which flattered us.)

    python bench/run.py --kernel           # the kernel specs with lock order and liveness
                                           # (bench/kernel.py: explicit vs vector)
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "bench" / "models"

FULL = [("grid", (6, 9)), ("grid", (7, 9)), ("rwsem", (5, 6)), ("rwsem", (5, 9))]
QUICK = [("grid", (4, 6)), ("grid", (5, 6)), ("rwsem", (3, 3)), ("rwsem", (4, 4))]
PARAMS = {"grid": ("K", "M"), "rwsem": ("N", "K")}
# Reference rates (distinct states/s) measured with TLC (1 worker) and SPIN on this kind of
# 2-core machine; the engine's target is 3x TLC.
TLC = {("grid", (6, 9)): 257_000, ("grid", (7, 9)): 243_000,
       ("rwsem", (5, 6)): 112_000, ("rwsem", (5, 9)): 130_000}
SPIN = {("grid", (6, 9)): 1_390_000}


def expected(model: str, size: tuple[int, int]) -> int:
    a, b = size
    if model == "grid":
        return (b + 1) ** a
    return (2 * (b + 1)) ** a + a * (b + 1) ** a


def load_system(model: str, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    from mmspec.ground import ground
    defines = dict(zip(PARAMS[model], size))
    try:
        from mmspec.frontend import load_spec
    except ImportError:
        load_spec = None
    if load_spec is not None:
        spec = load_spec(str(MODELS / f"{model}.mms"), defines)
        how = "mms"
    else:
        sys.path.insert(0, str(ROOT))
        from tests import irbuild
        spec = getattr(irbuild, model)(*size)
        how = "irbuild"
    return ground(spec), how


def child(engine: str, model: str, size: tuple[int, int], cap: int) -> dict[str, object]:
    """One measurement, in this (fresh) process."""
    sys.path.insert(0, str(ROOT))
    system, how = load_system(model, size)
    from checker.options import CheckOptions
    wall, cpu = time.perf_counter(), time.process_time()
    if engine == "handwritten":
        sys.path.insert(0, str(ROOT / "bench"))
        import handwritten
        wall, cpu = time.perf_counter(), time.process_time()  # exclude loading the spec
        distinct = (handwritten.grid if model == "grid" else handwritten.rwsem)(*size)
        verdict = "ok"
    elif engine == "baseline":
        sys.path.insert(0, str(ROOT / "bench"))
        from baseline import bfs
        r = bfs(system, cap)
        distinct, verdict = r["distinct"], r["verdict"]
    else:
        if engine == "explicit":
            from checker.explicit import check
        elif engine.startswith("explicit-w"):
            from checker.explicit import check
        else:
            from checker.vector import check  # type: ignore[no-redef]
        workers = int(engine.split("-w")[1]) if "-w" in engine else 1
        res = check(system, CheckOptions(workers=workers))
        distinct, verdict = res.stats.distinct_states, res.verdict
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"distinct": distinct, "verdict": verdict, "seconds": wall, "cpu_seconds": cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "loaded_from": how}


def measure(engine: str, model: str, size: tuple[int, int], cap: int) -> dict[str, object]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, model,
           str(size[0]), str(size[1]), "--baseline-cap", str(cap)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    proc = time.perf_counter() - t0
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    res: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    res["proc_seconds"] = proc
    return res


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
            f"load average {load}")


def engines_for(choice: str) -> list[str]:
    if choice == "explicit":
        return ["explicit"]
    if choice == "vector":
        return ["vector"]
    out = ["explicit", "explicit-w2"]
    try:
        sys.path.insert(0, str(ROOT))
        import checker.vector  # noqa: F401
        out.append("vector")
    except ImportError:
        pass
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    ap.add_argument("--engine", default="explicit",
                    help="explicit | vector | all (explicit, explicit with 2 workers, vector)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-cap", type=int, default=500_000,
                    help="stop the plain baseline after this many states (0: no baseline)")
    ap.add_argument("--kernel", action="store_true",
                    help="run bench/kernel.py instead (specs/vma with lock order and liveness)")
    ap.add_argument("--child", nargs=4, metavar=("ENGINE", "MODEL", "A", "B"),
                    help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args(argv)
    if args.kernel:
        sys.path.insert(0, str(ROOT / "bench"))
        import kernel
        return int(kernel.main(rest + ["--repeat", str(args.repeat)]))
    if rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.child:
        engine, model, a, b = args.child
        print(json.dumps(child(engine, model, (int(a), int(b)), args.baseline_cap)))
        return 0
    runs = QUICK if args.quick else FULL
    engines = engines_for(args.engine)
    engines.append("handwritten")
    if args.baseline_cap:
        engines.append("baseline")
    print(f"machine: {machine()}")
    print(f"median of {args.repeat} runs, each in a fresh process; baseline capped at "
          f"{args.baseline_cap:,} states")
    head = (f"{'model':<14}{'engine':<13}{'distinct':>12}{'engine s':>9}{'cpu s':>9}"
            f"{'eng st/s':>11}{'cpu st/s':>11}{'proc s':>8}{'proc st/s':>11}{'RSS MB':>8}"
            f"{'x TLC':>7}{'x hand':>8}")
    print(head)
    print("-" * len(head))
    failed = False
    for model, size in runs:
        name = f"{model.upper()}({size[0]},{size[1]})"
        base_rate = None
        rows = []
        for engine in engines:
            results = [measure(engine, model, size, args.baseline_cap)
                       for _ in range(args.repeat)]
            errors = [r for r in results if "error" in r]
            if errors:
                print(f"{name:<14}{engine:<13} skipped: {errors[0]['error']}")
                continue
            wall = statistics.median(float(r["seconds"]) for r in results)  # type: ignore[arg-type]
            cpu = statistics.median(float(r["cpu_seconds"]) for r in results)  # type: ignore[arg-type]
            rss = max(float(r["peak_rss_mb"]) for r in results)  # type: ignore[arg-type]
            proc = statistics.median(float(r["proc_seconds"]) for r in results)  # type: ignore[arg-type]
            distinct = int(results[0]["distinct"])  # type: ignore[arg-type]
            if engine != "baseline" and distinct != expected(model, size):  # capped
                failed = True
                print(f"{name:<14}{engine:<13} WRONG COUNT {distinct} != {expected(model, size)}")
            rate = distinct / wall if wall else 0.0
            if engine == "handwritten":
                base_rate = rate
            rows.append((engine, distinct, wall, cpu, rate, distinct / cpu if cpu else 0.0, rss,
                         proc))
        for engine, distinct, wall, cpu, rate, crate, rss, proc in rows:
            tlc = TLC.get((model, size))
            prate = distinct / proc if proc else 0.0
            xt = f"{prate / tlc:.1f}" if tlc and engine != "baseline" else "-"
            xb = f"{rate / base_rate:.1f}" if base_rate and engine != "handwritten" else "-"
            print(f"{name:<14}{engine:<13}{distinct:>12,}{wall:>9.2f}{cpu:>9.2f}"
                  f"{rate:>11,.0f}{crate:>11,.0f}{proc:>8.2f}{prate:>11,.0f}{rss:>8.0f}"
                  f"{xt:>7}{xb:>8}")
        if (model, size) in TLC:
            spin = SPIN.get((model, size))
            print(f"{'':<14}reference (whole process): TLC 1 worker {TLC[(model, size)]:,}/s"
                  + (f", SPIN {spin:,}/s" if spin else ""))
    print(f"after:   {machine()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
