"""Compact domains: the cost of writing the kernel's real constants (issue 15 item 3).

    python bench/compact_domains.py                    # READERS=3, 3 repeats
    python bench/compact_domains.py --readers 2 3 --repeat 5

specs/vma/vma_lock_refcnt.mms declares `ref` and `n` as `0..0x7fffffff values {0..R+1,
OFF..OFF+R+1}` with the real `VMA_LOCK_OFFSET = 0x40000000`. Three variants of that one file
are checked here, like with like (same engine, same process kind, same machine, same run):

- `compact`: the spec as it is;
- `wide`: the `values {...}` clauses removed: 31-bit ranges, the real offset;
- `scaled`: the earlier library's trick, `OFF = 100` and ranges `0..OFF+R+1` (no values).

Each variant runs in a fresh process per repeat: load and ground (not timed), then the
engine's check alone (liveness and lock order as the spec says). Printed per engine: distinct
states (they must agree), the state's width in bits (`state_bits`), the engine's bytes per
state where it reports them (vector: visited keys, filter and parent links), process growth
per state ((peak RSS - RSS before the check) / states), check seconds and distinct states/s,
medians of the repeats. The load average is printed: the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "vma" / "vma_lock_refcnt.mms"


def variant(kind: str) -> str:
    text = SPEC.read_text()
    if kind == "compact":
        return text
    text = re.sub(r" values \{[^}]*\}", "", text)
    if kind == "wide":
        return text
    text = text.replace("const OFF = 0x40000000", "const OFF = 100")
    return text.replace("0..0x7fffffff", "0..OFF + READERS + 1")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(path: str, engine: str, readers: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from checker.options import CheckOptions
    from mmspec.frontend import load_spec
    from mmspec.ground import ground
    if engine == "explicit":
        from checker.explicit import check
    else:
        from checker.vector import check
    system = ground(load_spec(path, {"READERS": readers}))
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    r = check(system, CheckOptions())
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = r.stats.distinct_states
    return {"states": n, "verdict": r.verdict, "secs": secs,
            "bits": r.stats.extra.get("state_bits"),
            "engine_bps": r.stats.extra.get("bytes_per_state"),
            "growth_bps": max(peak - rss0, 0) * 2**20 / max(n, 1)}


def run(path: str, engine: str, readers: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", path, engine, str(readers)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readers", type=int, nargs="+", default=[3])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=3)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], a.child[1], int(a.child[2]))))
        return
    print(f"# {SPEC.relative_to(ROOT)}; load average {os.getloadavg()[0]:.1f}; "
          f"medians of {a.repeat}")
    print(f"{'R':>2} {'engine':8} {'variant':8} {'states':>8} {'bits':>5} {'eng B/st':>9} "
          f"{'grow B/st':>10} {'check s':>8} {'st/s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for kind in ("compact", "wide", "scaled"):
            p = Path(tmp) / f"{kind}.mms"
            p.write_text(variant(kind))
            paths[kind] = str(p)
        for readers in a.readers:
            for engine in ("explicit", "vector"):
                for kind, path in paths.items():
                    rs = [run(path, engine, readers) for _ in range(a.repeat)]
                    med = {k: statistics.median(r[k] for r in rs)
                           for k in ("secs", "growth_bps")}
                    r0 = rs[0]
                    bps = r0["engine_bps"]
                    print(f"{readers:>2} {engine:8} {kind:8} {r0['states']:>8} "
                          f"{r0['bits'] if r0['bits'] is not None else '-':>5} "
                          f"{f'{bps:.1f}' if bps else '-':>9} {med['growth_bps']:>10.1f} "
                          f"{med['secs']:>8.3f} {r0['states'] / med['secs']:>9.0f}")
    print(f"# load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
