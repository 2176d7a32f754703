"""Grounding cost of a map update per transition, against the map's size (issue 12).

    python bench/grounding_cost.py [N ...]       # default 256 1024 4096

For each N: the spec `action Set(i in 0..N-1) when !done { m'[i] = true; done' = true }` over
`map[0..N-1] bool` (N transitions, each updating one entry). Prints the median of 3 grounding
times and the budget's work units (which tests/test_cost_limits.py checks grow linearly). To
compare with another revision, run this file with PYTHONPATH pointing at that checkout (it is
used instead of this one): same
machine, same run, like with like (grounding time only, load_spec excluded).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

if "mmspec" not in sys.modules and not any(Path(p, "mmspec").is_dir() for p in sys.path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from mmspec.frontend import load_spec  # noqa: E402
from mmspec.ground import ground  # noqa: E402

try:  # absent before issue 12
    from mmspec.budget import Budget
except ImportError:  # pragma: no cover
    Budget = None  # type: ignore[assignment,misc]


def spec_text(n: int) -> str:
    return (f"spec setonce\nvar m: map[0..{n - 1}] bool = false\nvar done: bool = false\n"
            f"action Set(i in 0..{n - 1}) when !done {{ m'[i] = true; done' = true; }}\n")


def main(sizes: list[int]) -> None:
    print(f"{'N':>6} {'ground s (median of 3)':>24} {'work units':>12}")
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            path = Path(d) / f"m{n}.mms"
            path.write_text(spec_text(n), encoding="utf-8")
            spec = load_spec(str(path))
            times = []
            for _ in range(3):
                t = time.perf_counter()
                ground(spec)
                times.append(time.perf_counter() - t)
            work = "-"
            if Budget is not None:
                b = Budget()
                ground(spec, b)
                work = str(b.work)
            print(f"{n:>6} {statistics.median(times):>24.3f} {work:>12}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [256, 1024, 4096])
