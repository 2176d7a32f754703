"""Litmus and library tables for docs/memory-model.md (issue 17).

    python bench/lkmm_table.py litmus [FOLDER]   # default tests/litmus: one row per .mms
    python bench/lkmm_table.py shapes            # tests/test_lkmm.py's classic shapes
    python bench/lkmm_table.py cost              # specs/lkmm: states under lkmm and sc

A litmus row: the test, LKMM's stated result (the `Result:` line the translation keeps from
the kernel's file, else `expect invariant` = Sometimes), mmspec's result under lkmm on the
explicit and vector engines and bmc (to the state space's depth, at most 30), and under sc
(explicit). `agrees` compares lkmm with LKMM. A cost row: distinct states under each model
(explicit, the whole space: --max-errors 100 keeps a violating search going), and the factor.
The machine's load is printed: the seconds mean little on a busy machine.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checker.options import CheckOptions  # noqa: E402
from mmspec.cli import _run_engine  # noqa: E402
from mmspec.frontend import load_spec  # noqa: E402
from mmspec.ground import ground  # noqa: E402

RESULT = re.compile(r"Result:\s*(Never|Sometimes|Always)", re.I)


def lkmm_says(text: str) -> str:
    m = RESULT.search(text)
    if m:
        return m.group(1)
    return "Sometimes" if re.search(r"^\s*expect\s+invariant", text, re.M) else "Never"


def outcome(path: str, memory: str, engine: str, depth: int | None = None,
            defines: dict[str, int] | None = None) -> tuple[str, int | None, int]:
    spec = load_spec(path, defines or {}, memory=memory)
    opts = CheckOptions(depth=depth, max_errors=100 if engine == "explicit" else 1)
    r = _run_engine(engine, ground(spec), opts)
    shown = "Sometimes" if r.verdict == "violation" else \
        ("Never" if r.verdict == "ok" else r.verdict)
    return shown, getattr(r.stats, "distinct_states", None), r.stats.depth


def litmus(folder: str) -> None:
    files = sorted(Path(folder).glob("*.mms"))
    print("| test | LKMM | lkmm explicit | lkmm vector | lkmm bmc | sc | agrees |")
    print("|---|---|---|---|---|---|---|")
    agree = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        want = lkmm_says(text)
        try:
            ex, _, depth = outcome(str(f), "lkmm", "explicit")
            ve, _, _ = outcome(str(f), "lkmm", "vector")
            bm, _, _ = outcome(str(f), "lkmm", "bmc", depth=min(depth + 3, 30))
            sc, _, _ = outcome(str(f), "sc", "explicit")
        except Exception as e:  # noqa: BLE001 - a row says why it could not run
            print(f"| {f.stem} | {want} | error: {type(e).__name__}: {str(e)[:60]} | | | | no |")
            continue
        ok = ex == ve == bm == want
        agree += ok
        print(f"| {f.stem} | {want} | {ex} | {ve} | {bm} | {sc} | {'yes' if ok else 'NO'} |")
    print(f"\n{agree} of {len(files)} agree with LKMM on explicit, vector and bmc")


def cost() -> None:
    rows = [("vma_read_relaxed_inc", {}), ("vma_read_acquire_inc", {}),
            ("rcuwait_no_barrier", {"BARRIER": 0}), ("rcuwait_no_barrier", {"BARRIER": 1}),
            ("exec_flag_publish", {"LOCKLESS": 1}), ("exec_flag_publish", {"LOCKLESS": 0})]
    print("| spec | -D | lkmm | states lkmm | states sc | factor |")
    print("|---|---|---|---|---|---|")
    for name, d in rows:
        path = f"specs/lkmm/{name}.mms"
        res, n_lk, _ = outcome(path, "lkmm", "explicit", defines=d)
        _, n_sc, _ = outcome(path, "sc", "explicit", defines=d)
        dd = " ".join(f"{k}={v}" for k, v in d.items())
        print(f"| {name} | {dd} | {res} | {n_lk} | {n_sc} | {n_lk / n_sc:.2f} |")


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "litmus"
    print(f"(load average {os.getloadavg()[0]:.1f})\n")
    if what == "cost":
        cost()
    else:
        litmus(sys.argv[2] if len(sys.argv) > 2 else "tests/litmus")


if __name__ == "__main__":
    main()
