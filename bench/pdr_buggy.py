"""Counterexample lengths, measured: every buggy library spec under the explicit engine and a
z3 engine (pdr by default), one fresh process per run.

    python bench/pdr_buggy.py [--engine pdr|bmc] [--time-limit 300] [--only NAME]

A spec is buggy when its expectation (for its default constants) is a violation. One row per
spec: the expected violation's trace length under each engine (steps, the JSON's
`trace_length`; a lasso's loop start after '@'), and the z3 engine's wall seconds. The issue-20
must-show: on every buggy spec pdr reports the violation at the explicit engine's length;
rows where it does not are marked and counted at the end. Not a test: minutes of solver time.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(path: str, engine: str, limit: float) -> tuple[dict[str, object], float]:
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", path, "--engine", engine,
                          "--format", "json", "--quiet", "--time-limit", str(limit)],
                         cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        d = json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"met": False, "error": out.stderr.strip().splitlines()[-1:]}, wall
    return d, wall


def expected_length(d: dict[str, object]) -> str:
    """The length of the first violation of the expected kind, e.g. '20' or '20@20'."""
    kind = str(d.get("expected", "")).split()[0] if d.get("expected") else ""
    for v in d.get("violations", []) or []:  # type: ignore[union-attr]
        if not kind or v["kind"] == kind:
            loop = "" if v.get("loop") is None else f"@{v['loop']}"
            return f"{v['trace_length']}{loop}"
    return "-"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="pdr")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--only", help="specs whose path contains this")
    args = ap.parse_args()
    rows = bad = 0
    print(f"{'spec':58} {'expected':22} {'explicit':>9} {args.engine:>9} {'s':>7}")
    for path in sorted(glob.glob(os.path.join(ROOT, "specs", "**", "*.mms"), recursive=True)):
        rel = os.path.relpath(path, ROOT)
        if args.only and args.only not in rel:
            continue
        ref, _ = run(rel, "explicit", args.time_limit)
        expected = str(ref.get("expected", ""))
        if not ref.get("met") or expected.startswith("ok") or not ref.get("violations"):
            continue
        got, wall = run(rel, args.engine, args.time_limit)
        a, b = expected_length(ref), expected_length(got)
        same = bool(got.get("met")) and a == b
        rows += 1
        bad += not same
        print(f"{rel[6:64]:58} {expected[:22]:22} {a:>9} {b:>9} {wall:7.1f}"
              f"{'' if same else '  <- differs'}", flush=True)
    print(f"{rows} buggy specs, {bad} where {args.engine} does not report the explicit "
          "engine's violation at its length")


if __name__ == "__main__":
    main()
