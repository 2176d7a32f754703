"""Print the spec library at a glance (the table in docs/specs.md), measured now.

    python bench/specs_table.py            # markdown table on stdout

Runs `mmspec check specs/ --format json` in a subprocess (explicit engine, so lock-order
and liveness are included) and formats topic, variant, expectation, verdict, states, depth,
trace length and seconds.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    proc = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", "specs",
                           "--engine", "explicit", "--format", "json", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True)
    results = json.loads(proc.stdout)
    print(f"<!-- measured on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; `mmspec check specs/` exit {proc.returncode} -->")
    print("| topic | spec | expects | result | distinct states | depth | trace steps | seconds |")
    print("|---|---|---|---|---:|---:|---:|---:|")
    for r in results:
        path = Path(r["spec"])
        verdict = "✓ " if r.get("met") else "✗ "
        if r["result"] == "violation":
            verdict += f"{r['kind']}" + (f" `{r['property']}`" if r["kind"] in
                                         ("invariant", "liveness") else "")
        else:
            verdict += r["result"]
        steps = len(r["trace"]) - 1 if r.get("trace") else ""
        print(f"| {path.parent.name} | `{path.stem}` | {r['expected']} | {verdict} | "
              f"{r['distinct_states']:,} | {r['depth']} | {steps} | {r['seconds']:.2f} |")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
