"""Start-up time of the `mmspec` command, whole process against whole process.

    python bench/startup.py                 # median of 5 runs of each row
    python bench/startup.py --repeat 11
    python bench/startup.py --python .venv/bin/python   # an installed copy (pip install .)
    python bench/startup.py --against main~3            # before/after, runs interleaved
    python bench/startup.py --python .venv/bin/python --against-python old/bin/python
                                            # two installed copies, runs interleaved

Rows (each a fresh interpreter, `sys.executable`, not a shell shim, timed wall-clock):
  python -c pass                 the floor: the interpreter and its site packages
  mmspec --version               argparse and the CLI module only
  mmspec parse SPEC              the issue's target (< 0.15 s on a quiet 2-core machine)
  mmspec parse SPEC, no tables   the same with the LALR tables built from grammar.lark, as
                                 every run did before mmspec/parse_tables.py
  console script                 with --python: the installed `mmspec` script beside it (what a
                                 user runs; `python -m` adds runpy)

Like an installed package (pip compiles .pyc files at install), the runs may read and write
bytecode; it goes to a private PYTHONPYCACHEPREFIX, warmed by one untimed run of each row, so
PYTHONDONTWRITEBYTECODE in the caller's environment does not make every run a compile. The
user's table cache is pointed at an empty temporary XDG_CACHE_HOME, so the shipped tables are
what is measured. The load average is printed: the figures mean little on a busy machine. With --against REV,
`mmspec parse` is also timed at that revision (a temporary `git worktree`), its runs
interleaved with this worktree's so that both see the same load. With --against-python, an
installed copy of another version (a second virtual environment) is timed the same way, like
with like: both installed, both from the same empty folder.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = str(ROOT / "specs" / "fput" / "fput_sync_under_mmap_sem.mms")
NO_TABLES = ("import sys; import mmspec.parse_tables as t; import mmspec.parser as p; "
             "p._driver = lambda: None; "  # lark parses (mmspec/lalr.py would not build)
             "t.load_parser = lambda: t.build(t.GRAMMAR.read_text(encoding='utf-8')); "
             "from mmspec.cli import main; sys.exit(main(sys.argv[1:]))")
ROWS: list[tuple[str, list[str]]] = [
    ("python -c pass", ["-c", "pass"]),
    ("mmspec --version", ["-m", "mmspec.cli", "--version"]),
    ("mmspec parse specs/fput/fput_sync_under_mmap_sem.mms", ["-m", "mmspec.cli", "parse",
                                                              SPEC]),
    ("  same, tables built from grammar.lark", ["-c", NO_TABLES, "parse", SPEC]),
]


def time_run(python: str, args: list[str], env: dict[str, str], cwd: Path
             ) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([python, *args], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{args}: exit {proc.returncode}\n{proc.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per row")
    ap.add_argument("--python", default=sys.executable,
                    help="the interpreter to time; another one (a virtual environment's, after "
                         "pip install .) runs its installed mmspec from an empty folder")
    ap.add_argument("--against", metavar="REV", default=None,
                    help="also time `mmspec parse` at this git revision, runs interleaved")
    ap.add_argument("--against-python", metavar="PYTHON", default=None,
                    help="also time `mmspec parse` with this interpreter's installed mmspec "
                         "(another virtual environment), runs interleaved")
    args = ap.parse_args()
    installed = args.python != sys.executable
    with tempfile.TemporaryDirectory(prefix="mmspec-startup-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(Path(tmp) / "pyc"),
                   XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        cwd = Path(tmp) if installed else ROOT  # the worktree's mmspec, or the installed one
        if installed:
            env.pop("PYTHONPYCACHEPREFIX")  # pip compiled the installed package's bytecode
        print(f"# {platform.python_implementation()} {platform.python_version()} "
              f"{args.python} ({'installed package' if installed else 'this worktree'}); "
              f"{os.cpu_count()} cpus; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"# {args.repeat} runs per row, seconds, whole process; CPU = user + system "
              "(less sensitive than wall time to other work on the machine)")
        print(f"{'command':54} {'wall med':>8} {'wall min':>8} {'CPU med':>8}")
        rows = ROWS + ([("  console script " + script(args.python).name, [str(
            script(args.python)), "parse", SPEC])] if installed and script(args.python).exists()
            else [])
        for name, argv in rows:
            time_run(args.python, argv, env, cwd)  # warm the bytecode and OS file caches
            runs = [time_run(args.python, argv, env, cwd) for _ in range(args.repeat)]
            print_row(name, runs)
        if args.against:
            against(args.against, args.python, args.repeat, env, cwd, Path(tmp))
        if args.against_python:
            sides = [(f"  {args.python} (interleaved)", args.python, ROWS[2][1]),
                     (f"  {args.against_python} (interleaved)", args.against_python,
                      ROWS[2][1])]
            interleave([(n, py, argv, env, cwd) for n, py, argv in sides], args.repeat)
    return 0


def script(python: str) -> Path:
    """The `mmspec` console script pip installed beside an interpreter."""
    return Path(python).parent / "mmspec"


def print_row(name: str, runs: list[tuple[float, float]]) -> None:
    wall = [w for w, _ in runs]
    cpu = statistics.median(c for _, c in runs)
    print(f"{name:54} {statistics.median(wall):8.3f} {min(wall):8.3f} {cpu:8.3f}")


def interleave(sides: list[tuple[str, str, list[str], dict[str, str], Path]], repeat: int
               ) -> None:
    """Each side (name, interpreter, arguments, environment, folder) warmed once, then
    timed `repeat` times, alternating run by run so that all see the same load."""
    for _, python, argv, e, where in sides:
        time_run(python, argv, e, where)  # warm
    runs: list[list[tuple[float, float]]] = [[] for _ in sides]
    for _ in range(repeat):
        for i, (_, python, argv, e, where) in enumerate(sides):
            runs[i].append(time_run(python, argv, e, where))
    for (name, *_), r in zip(sides, runs):
        print_row(name, r)


def against(rev: str, python: str, repeat: int, env: dict[str, str], cwd: Path, tmp: Path
            ) -> None:
    """`mmspec parse` here and at `rev`, alternating run by run."""
    tree = tmp / "against"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree),
                    rev], check=True)
    try:
        other = dict(env, PYTHONPYCACHEPREFIX=str(tmp / "pyc-against"))
        parse = ["-m", "mmspec.cli", "parse", SPEC.replace(str(ROOT), str(tree))]
        interleave([("  as above (interleaved)", python, ROWS[2][1], env, cwd),
                    (f"  at {rev} (interleaved)", python, parse, other, tree)], repeat)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)


if __name__ == "__main__":
    sys.exit(main())
