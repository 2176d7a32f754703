"""BMC on the per-VMA lock model (two readers, one writer with detach): the symbolic engine's
benchmark target is depth 30 within 60 s on the 2-core CI machine.

Runs each configuration once and prints a table: model, slots, ground transitions, bound,
verdict, seconds, solver checks, peak RSS. `--compare` adds the same run without the
partial-order reduction (and `--int` with linear integer arithmetic instead of bit-vectors,
which is far slower: give it a --time-limit). Never run this in a loop on a shared machine.

    python bench/symbolic_vma.py [--depth 30] [--compare] [--int] [--kind] [--time-limit S]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checker.options import CheckOptions  # noqa: E402
from checker.symbolic import check_bmc, check_kind  # noqa: E402
from mmspec.ground import GroundSystem, ground  # noqa: E402

SPEC = "specs/vma/vma_lock_refcnt.mms"


def load(path: str) -> tuple[str, GroundSystem]:
    """The spec if it parses, else an IR model of similar size (labelled as such)."""
    try:
        from mmspec.frontend import load_spec
        return os.path.basename(path), ground(load_spec(path))
    except Exception as e:  # the spec library is written in parallel: fall back
        print(f"note: {path} does not load ({type(e).__name__}: {e}); using the IR rwsem(3, 2)"
              " model instead", file=sys.stderr)
        from tests.irbuild import rwsem
        return "rwsem(3,2) [IR fallback]", ground(rwsem(3, 2))


def run(name: str, system: GroundSystem, engine: str, depth: int, encoding: str, por: bool,
        time_limit: float | None, progress: bool) -> list[str]:
    opts = CheckOptions(depth=depth, time_limit=time_limit,
                        progress=sys.stderr if progress else None)
    fn = check_bmc if engine == "bmc" else check_kind
    t0 = time.perf_counter()
    r = fn(system, opts, encoding=encoding, por=por)
    secs = time.perf_counter() - t0
    verdict = r.violations[0].kind if r.violations else r.reason.value
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [name, str(system.width), str(len(system.transitions)),
            f"{engine} {encoding}{'+por' if por and engine == 'bmc' else ''}",
            str(r.stats.depth), verdict, f"{secs:.2f}", str(r.stats.extra.get("solver_checks")),
            f"{rss:.0f}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=SPEC)
    ap.add_argument("--depth", type=int, default=30)
    ap.add_argument("--compare", action="store_true", help="also without partial-order reduction")
    ap.add_argument("--int", action="store_true", help="also with the Int encoding")
    ap.add_argument("--kind", action="store_true", help="also k-induction to --depth")
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--progress", action="store_true", help="per-depth lines on stderr")
    a = ap.parse_args()
    name, system = load(a.spec)
    configs = [("bmc", "bv", True)]
    if a.compare:
        configs.append(("bmc", "bv", False))
    if a.int:
        configs.append(("bmc", "int", True))
    if a.kind:
        configs.append(("kind", "bv", True))
    head = ["model", "slots", "transitions", "engine", "depth", "result", "seconds",
            "checks", "peak MB"]
    rows = [run(name, system, e, a.depth, enc, por, a.time_limit, a.progress)
            for e, enc, por in configs]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    load1 = os.getloadavg()[0]
    print(f"# {os.cpu_count()} cores, load average {load1:.2f} at the end")
    for r in [head] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
