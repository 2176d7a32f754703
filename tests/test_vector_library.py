"""`mmspec check specs/ --format json`: the default engine choice is the vector engine, and
its results are the explicit engine's, spec by spec.

Compared: every field of the JSON result object except the engine name, timings, memory,
notes, the engine's own statistics (`stats.extra`) and `queue`. Included: verdicts,
violation kinds, messages and details (lock-order chains with every witness, liveness
fairness and trigger), traces and lasso loops, distinct/generated states, depth and per-action
counts. `queue` is left out on purpose: at a violation the explicit engine counts the states
left after its 4096-state kernel chunk, the vector engine those left after the violating
state, so they differ by design (both are 0 when the search finishes).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VOLATILE = {"engine", "seconds", "peak_rss_mb", "notes", "queue", "extra"}


def run(*args: str) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", "specs/",
                           "--format", "json", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out: list[dict[str, Any]] = json.loads(proc.stdout)
    return out


STATS = {"actions", "never_fired"}  # the rest of `stats` is each engine's own figures


def stable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: (stable(v) if k != "stats" else {s: v[s] for s in STATS if s in v})
                for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return [stable(v) for v in x]
    return x


def test_library_runs_on_vector_with_explicit_results() -> None:
    auto = run()
    ref = run("--engine", "explicit")
    assert [r["spec"] for r in auto] == [r["spec"] for r in ref]
    on_vector = [r for r in auto if r["engine"] == "vector"]
    assert len(auto) >= 34
    assert len(on_vector) >= 32, [(r["spec"], r["notes"]) for r in auto
                                  if r["engine"] != "vector"]
    for r in auto:
        if r["engine"] != "vector":  # the one-line reason is in the notes
            assert any(n.startswith("engine auto: explicit (") for n in r["notes"])
    kinds = set()
    for a, b in zip(auto, ref):
        assert b["engine"] == "explicit"
        assert stable(a) == stable(b), a["spec"]
        kinds.update(v["kind"] for v in a.get("violations", []))
    assert {"lock-order", "liveness", "deadlock", "invariant", "assertion"} <= kinds
