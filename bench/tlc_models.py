"""mmspec against TLC on the translated tlaplus/Examples models (tests/tla/).

    python bench/tlc_models.py                      # mmspec (explicit, vector) vs the figures
                                                    # the tests hold (TLC's)
    python bench/tlc_models.py --tlc-cp CP --examples DIR   # and TLC itself, run here

For each model: distinct states, states generated and depth, mmspec's depth shown as TLC
counts it (states on the longest shortest path: mmspec's steps + 1), and seconds. With
--tlc-cp (tla2tools.jar, or the classes and lib jars of a tlaplus/tlaplus tlatools build with
tla2sany/StandardModules beside the classes) and --examples (a checkout of tlaplus/Examples
at the commit the .mms headers name, 32a32c7), TLC checks each model's .cfg with
`-workers 1`: TLC's depth is deterministic only with one worker (tlaplus/tlaplus#883), which
is why the published EWD840 depth (10, a multi-worker run) differs from the 9 used here. The
models importing the TLAPS proof module get a stub of its pragmas (TLC ignores proofs).
Exits 1 when a figure differs.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import explicit, vector  # noqa: E402
from checker.options import CheckOptions  # noqa: E402
from mmspec.frontend import load_spec  # noqa: E402
from mmspec.ground import ground  # noqa: E402
from tests import test_tla_checking, test_tla_counts  # noqa: E402

# model -> (folder under specifications/, module, cfg)
SOURCES = {
    "TwoPhase": ("transaction_commit", "TwoPhase", "TwoPhase.cfg"),
    "TCommit": ("transaction_commit", "TCommit", "TCommit.cfg"),
    "Peterson": ("locks_auxiliary_vars", "Peterson", "Peterson.cfg"),
    "Lock": ("locks_auxiliary_vars", "Lock", "Lock.cfg"),
    "ReadersWriters": ("ReadersWriters", "MC", "MC.cfg"),
    "Echo": ("echo", "MCEcho", "MCEcho.cfg"),
    "CigaretteSmokers": ("CigaretteSmokers", "CigaretteSmokers", "CigaretteSmokers.cfg"),
    "AsyncTerminationDetection": ("ewd998", "AsyncTerminationDetection",
                                  "AsyncTerminationDetection.cfg"),
    "CoffeeCan": ("CoffeeCan", "CoffeeCan", "CoffeeCan100Beans.cfg"),
    "SyncTerminationDetection": ("ewd840", "SyncTerminationDetection",
                                 "SyncTerminationDetection.cfg"),
    "EWD840": ("ewd840", "EWD840", "EWD840.cfg"),
}
TLAPS_STUB = "---- MODULE TLAPS ----\n" + "".join(
    f"{p} == TRUE\n" for p in ("SMT", "Zenon", "Isa", "PTL", "LS4", "Z3", "AllProvers",
                               "SimpleArithmetic")) + "SMTT(X) == TRUE\nZenonT(X) == TRUE\n====\n"
COUNTS = re.compile(r"([\d,]+) states generated, ([\d,]+) distinct states found, 0 states left")
DEPTH = re.compile(r"The depth of the complete state graph search is ([\d,]+)")


def mmspec_figures(name: str, engine: object) -> tuple[int, int, int, float]:
    system = ground(load_spec(str(ROOT / "tests" / "tla" / f"{name}.mms")))
    t0 = time.perf_counter()
    r = engine.check(system, CheckOptions())  # type: ignore[attr-defined]
    secs = time.perf_counter() - t0
    s = r.stats
    return s.distinct_states, s.generated_states, s.depth + 1, secs


def tlc_figures(name: str, cp: str, examples: Path, lib: Path) -> tuple[int, int, int, float]:
    folder, module, cfg = SOURCES[name]
    where = examples / "specifications" / folder
    t0 = time.perf_counter()
    out = subprocess.run(["java", "-XX:+UseParallelGC", f"-DTLA-Library={lib}", "-cp", cp,
                          "tlc2.TLC", "-workers", "1", "-config", cfg, f"{module}.tla"],
                         cwd=where, capture_output=True, text=True, timeout=600).stdout
    secs = time.perf_counter() - t0
    c, d = COUNTS.search(out), DEPTH.search(out)
    if c is None or d is None:
        raise SystemExit(f"{name}: no state counts in TLC's output:\n{out[-2000:]}")
    num = [int(x.replace(",", "")) for x in (c.group(2), c.group(1), d.group(1))]
    return num[0], num[1], num[2], secs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tlc-cp", help="Java classpath of TLC (tla2tools.jar or a build)")
    ap.add_argument("--examples", type=Path, help="a tlaplus/Examples checkout")
    args = ap.parse_args()
    expected = {**test_tla_counts.TLC, **test_tla_checking.TLC}
    lib = Path(tempfile.mkdtemp())
    (lib / "TLAPS.tla").write_text(TLAPS_STUB)
    print(f"{'model':28} {'tests hold':>20} {'explicit':>20} {'vector':>20}"
          + (f" {'TLC -workers 1':>20}" if args.tlc_cp else "") + "   seconds (expl/vec/TLC)")
    bad = 0
    for name in sorted(expected):
        rows = [expected[name], *(mmspec_figures(name, e) for e in (explicit, vector))]
        if args.tlc_cp and args.examples:
            rows.append(tlc_figures(name, args.tlc_cp, args.examples, lib))
        figs = [tuple(r[:3]) for r in rows]
        bad += any(f != figs[0] for f in figs)
        cells = " ".join(f"{'/'.join(map(str, f)):>20}" for f in figs)
        secs = "/".join(f"{r[3]:.2f}" for r in rows[1:])
        print(f"{name:28} {cells}   {secs}{'   MISMATCH' if any(f != figs[0] for f in figs) else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
