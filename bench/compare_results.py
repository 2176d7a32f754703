"""Before/after comparison of `mmspec check specs/ --format json` (issue 13, "must show").

A structural change must leave every verdict, count, depth, violation kind and trace as it
was. This script runs the library under each engine at two revisions (a base commit, checked
out with `git worktree add --detach` into a temporary folder, and the working tree, or a
second commit) and prints, spec by spec, which compared fields differ. Timings, memory,
notes and the coverage prose are ignored: they are not results.

    python bench/compare_results.py                       # base 8edd31d vs the working tree
    python bench/compare_results.py --base main~5 --head HEAD --engines explicit vector bmc

Exit status 0 when every compared field is identical, 1 when something differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parent.parent

# Fields that are results; everything else in the JSON record (seconds, peak_rss_mb, notes,
# summary prose, the stats' coverage sentence) may change without a change of meaning.
VERDICT = ("result", "expected", "met", "exit_code", "engine", "reason")
COUNTS = ("distinct_states", "generated_states", "depth", "queue")
VIOLATION = ("kind", "property", "message", "property_span", "details")
TRACE = ("trace", "loop")
# Known intentional changes in this session: `never_fired` is null after an early stop.
SOFT = ("stats.never_fired",)


@contextmanager
def checkout(rev: str | None) -> Iterator[Path]:
    """The repository at `rev` (None: the working tree itself), removed afterwards."""
    if rev is None:
        yield REPO
        return
    tmp = Path(tempfile.mkdtemp(prefix="mmspec-compare-"))
    tree = tmp / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet",
                    str(tree), rev], check=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                       check=False)
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


def run_library(tree: Path, engine: str, depth: int) -> dict[str, dict[str, Any]]:
    """spec path -> JSON record of `mmspec check specs/ --engine engine` run in `tree`."""
    cmd = [sys.executable, "-m", "mmspec.cli", "check", "specs/", "--format", "json",
           "--engine", engine]
    if engine in ("bmc", "kind"):
        cmd += ["--depth", str(depth)]
    env = dict(os.environ, PYTHONPATH=str(tree))
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"{tree} --engine {engine}: no JSON (exit {proc.returncode}):\n"
                         f"{proc.stderr[-2000:]}")
    records = data if isinstance(data, list) else [data]
    return {rec["spec"]: rec for rec in records}


def _trace_view(steps: Any) -> Any:
    """A trace without anything a renderer may reword: action, process, label, state."""
    if not isinstance(steps, list):
        return steps
    return [{k: s.get(k) for k in ("action", "process", "label", "step", "state")}
            for s in steps]


def compared(rec: dict[str, Any]) -> dict[str, Any]:
    """The fields of one record that must not change, flattened to dotted names."""
    out: dict[str, Any] = {}
    for key in VERDICT + COUNTS + VIOLATION:
        out[key] = rec.get(key)
    out["trace"] = _trace_view(rec.get("trace"))
    out["loop"] = rec.get("loop")
    out["violations"] = sorted((v.get("kind"), v.get("property"), v.get("trace_length"))
                               for v in rec.get("violations") or [])
    stats = rec.get("stats") or {}
    out["stats.actions"] = stats.get("actions")
    out["stats.never_fired"] = stats.get("never_fired")
    return out


def _fell_back(rec: dict[str, Any]) -> bool:
    """The run asked for one engine and a note says another one ran instead."""
    return any("cannot run this spec" in n for n in rec.get("notes") or [])


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per compared field that differs, with both values (shortened).

    When one side fell back to another engine (the base's vector engine had no lock-order
    analysis), `engine` and `queue` (frontier size: a level-at-a-time engine stops with a
    different queue) are expected to differ; everything else must still be equal.
    """
    a, b = compared(before), compared(after)
    engine_change = a["engine"] != b["engine"] and (_fell_back(before) or _fell_back(after))
    lines = []
    for key in a:
        if a[key] != b[key]:
            tag = ""
            if key in SOFT:
                tag = " (intentional: early-stop rule)"
            elif engine_change and key in ("engine", "queue"):
                tag = " (intentional: engine fallback changed)"
            lines.append(f"{key}{tag}: {_short(a[key])} -> {_short(b[key])}")
    return lines


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "..."


def compare(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]],
            engine: str) -> tuple[int, int]:
    """Print the comparison for one engine; (hard differences, soft differences)."""
    hard = soft = 0
    for spec in sorted(set(base) | set(head)):
        if spec not in base or spec not in head:
            print(f"  {engine:8} {spec}: only in {'head' if spec in head else 'base'}")
            hard += 1
            continue
        diffs = differences(base[spec], head[spec])
        if not diffs:
            print(f"  {engine:8} {spec}: identical")
            continue
        print(f"  {engine:8} {spec}: DIFFERENT")
        for line in diffs:
            print(f"             {line}")
            if "(intentional" in line:
                soft += 1
            else:
                hard += 1
    return hard, soft


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="8edd31d", help="base commit (default: 8edd31d)")
    ap.add_argument("--head", default=None,
                    help="second commit (default: the working tree this script is in)")
    ap.add_argument("--engines", nargs="+", default=["explicit", "vector"],
                    help="engines to compare (default: explicit vector; bmc, kind too)")
    ap.add_argument("--depth", type=int, default=10,
                    help="--depth for bmc/kind (10: at 30, bmc over the whole library runs "
                         "for hours on 2 cores)")
    args = ap.parse_args(argv)
    total_hard = total_soft = 0
    with checkout(args.base) as base_tree, checkout(args.head) as head_tree:
        print(f"base {args.base} ({base_tree}) vs head {args.head or 'working tree'} "
              f"({head_tree})")
        for engine in args.engines:
            before = run_library(base_tree, engine, args.depth)
            after = run_library(head_tree, engine, args.depth)
            hard, soft = compare(before, after, engine)
            total_hard += hard
            total_soft += soft
    print(f"\n{total_hard} unexplained difference(s), {total_soft} intentional "
          f"(never_fired after an early stop, engine fallback changes)")
    return 1 if total_hard else 0


if __name__ == "__main__":
    sys.exit(main())
