"""Proofs, measured: pdr on the fixed library specs, and the largest configuration each engine
proves in a budget.

    python bench/prove.py [--time-limit 60] [--backend ic3|spacer] [--only NAME]
                          [--set all|issue|added]

(the default) prints one row per fixed library spec (every spec whose default
configuration expects no violation: the ten issue 20 counts, then those added since):
verdict of `--engine pdr` with every property on, as
`mmspec check` runs it (invariants, checks, ranges, deadlock, lock order, liveness), wall and
CPU seconds (user + sys of the run's own process: on a shared machine the wall clock
overstates the work), frames, lemmas and solver queries. Each spec runs in a fresh process.
A verdict is "proved" only when every property is proved for all depths; "safety proved"
when the invariants, checks, ranges, deadlock freedom and lock order are but liveness is not.

    python bench/prove.py --sweep [--time-limit 60] [--max-readers 4] [--depth 20]

Parameterised confidence. For the per-VMA lock (specs/vma/vma_lock_refcnt.mms, READERS = 1, 2, ...) each engine runs
with the same per-run time limit, in order of size, until it first fails to prove:
- explicit: exhaustive search of this configuration (the verdict covers every reachable
  state, liveness and lock order included);
- kind: k-induction up to --depth (a proof for all depths of the safety properties);
- pdr: IC3 (inductive invariant for all depths: invariants, checks, ranges, deadlock).
The fork specs have no size parameter (two fixed threads), so they get one row each.

Prints one row per run (engine, size, verdict, wall and CPU seconds) and a summary table
for docs/specs.md. CPU seconds are shown because the machine is shared: under load the wall
clock overstates the work (load average printed with the table).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
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
# the ten fixed specs the library had when issue 20 was filed (its must-show counts these)
ISSUE_FIXED = ["specs/exec_nascent_mm/exec_nascent_mm_broad_nascent_subclass.mms",
         "specs/exec_nascent_mm/exec_nascent_mm_upstream.mms",
         "specs/fork_get_task_mm/fork_wrprotect_cmpxchg.mms",
         "specs/fork_get_task_mm/fork_wrprotect_handshake.mms",
         "specs/fput/fput_task_work.mms",
         "specs/mlockall/mlockall_inherit_corrected.mms",
         "specs/mlockall/mlockall_upstream_no_inherit.mms",
         "specs/vma/vma_assert_heuristic_soundness.mms",
         "specs/vma/vma_lock_refcnt.mms",
         "specs/vma/vma_lock_refcnt_wake_always.mms"]


def fixed_library() -> list[str]:
    """Every library spec whose default configuration expects every property to hold: the
    issue's ten first, then those added since (the must-show: "and every fixed spec added
    later that is in reach")."""
    found = []
    for folder in sorted(os.listdir(os.path.join(ROOT, "specs"))):
        d = os.path.join(ROOT, "specs", folder)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else ():
            path = f"specs/{folder}/{name}"
            if name.endswith(".mms") and load_spec(os.path.join(ROOT, path), {}).expect.kind \
                    is None:
                found.append(path)
    return ISSUE_FIXED + [p for p in found if p not in ISSUE_FIXED]


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


def one(path: str, limit: float, backend: str) -> dict[str, object]:
    """One pdr run as `mmspec check --engine pdr` does it (every property on); then, on a
    proof, the printed invariant pasted into a copy of the spec and `kind --depth 1` on it
    (not timed: the round trip the issue asks for)."""
    from checker.symbolic.pdr import check_pdr
    system = ground(load_spec(path, {}))
    c, t = time.process_time(), time.monotonic()
    r = check_pdr(system, CheckOptions(time_limit=limit), backend=backend)  # type: ignore[arg-type]
    cpu, wall = time.process_time() - c, time.monotonic() - t
    x = r.stats.extra
    safety = bool(x.get("proved")) and not r.violations
    verdict = ("proved" if safety and r.reason == ExitReason.DONE else
               "safety proved" if safety else
               "violation" if r.violations else r.reason.value)
    return {"verdict": verdict, "frames": x.get("ic3_frames"), "lemmas": x.get("ic3_lemmas"),
            "queries": x.get("solver_checks"), "engine_cpu": round(cpu, 1), "wall": wall,
            "liveness": next((n for n in r.notes if "liveness" in n), ""),
            "kind1": round_trip(path, x["invariant"]) if safety else "-"}


def round_trip(path: str, lines: list[str]) -> str:
    """`kind --depth 1` on the spec with the invariant pasted in: "ok" when it proves it."""
    import shutil
    import tempfile
    from checker.symbolic import check_kind
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.dirname(os.path.abspath(path))
        for name in os.listdir(folder):  # includes (.mmsi) come along
            if name.endswith(".mmsi"):
                shutil.copy(os.path.join(folder, name), tmp)
        out = os.path.join(tmp, os.path.basename(path))
        with open(path, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as g:
            g.write(f.read() + "\n" + "\n".join(lines) + "\n")
        try:
            system = ground(load_spec(out, {}))
        except Exception as e:  # a lemma the language cannot read back
            return f"FAILED (does not load: {str(e).splitlines()[0][-80:]})"
        k = check_kind(system, CheckOptions(depth=1, liveness=False, lock_order=False))
    ok = k.reason == ExitReason.DONE and k.stats.extra.get("proved") is True
    return "ok" if ok else f"FAILED ({k.reason.value})"


def fixed(args: argparse.Namespace) -> None:
    """The table of the fixed library specs, each run in its own process."""
    print(f"# pdr ({args.backend}) on the fixed library specs; limit {args.time_limit:.0f} s "
          f"each; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    print("| spec | verdict | wall s | CPU s | frames | lemmas | queries | kind k=1 |\n"
          "|---|---|---|---|---|---|---|---|")
    proved = ran = first = 0
    for path in fixed_library():
        name = os.path.basename(path)[:-4]
        if args.only and args.only not in name or \
                args.set == "added" and path in ISSUE_FIXED or \
                args.set == "issue" and path not in ISSUE_FIXED:
            continue
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", path,
                            "--time-limit", str(args.time_limit), "--backend", args.backend],
                           capture_output=True, text=True, cwd=ROOT)
        wall = time.monotonic() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        try:
            row = json.loads(p.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            row = {"verdict": f"crashed: {p.stderr.strip().splitlines()[-1:]}"}
        proved += row["verdict"] == "proved"
        first += row["verdict"] == "proved" and row.get("kind1") == "ok" and path in ISSUE_FIXED
        ran += 1
        # wall and CPU of the pdr run itself (the worker's loading and the round trip
        # after it are not counted); the whole worker's CPU in the notes below
        print(f"| {name} | {row['verdict']} | {row.get('wall', wall):.1f} | "
              f"{row.get('engine_cpu', cpu)} | {row.get('frames')} | "
              f"{row.get('lemmas')} | {row.get('queries')} | {row.get('kind1')} |", flush=True)
        print(f"#   {name}: worker process {wall:.1f} s wall, {cpu:.1f} s CPU (load, pdr, "
              "round trip)")
        if row["verdict"] == "safety proved":
            print(f"#   {name}: {row.get('liveness')}")
    print(f"\n# {proved} of {ran} proved (every property, all depths); of the issue's ten, "
          f"{first} proved with the pasted invariant passing kind k=1; load average "
          f"{os.getloadavg()[0]:.1f} at the end")


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--max-readers", type=int, default=4)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--sweep", action="store_true", help="the READERS sweep per engine")
    ap.add_argument("--backend", choices=("ic3", "spacer"), default="ic3")
    ap.add_argument("--only", help="fixed specs whose name contains this")
    ap.add_argument("--set", choices=("all", "issue", "added"), default="all",
                    help="the fixed specs: the issue's ten, those added since, or all")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a worker: one spec, one JSON line
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.time_limit, args.backend)))
        return
    if not args.sweep:
        fixed(args)
        return
    sweep(args)


def sweep(args: argparse.Namespace) -> None:
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
