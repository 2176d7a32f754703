"""The `mmspec` command: the only place that wires the front-end to the engines and renderers.

Exit statuses (a contract, see docs/cli.md): 0 every spec met its expectation, 1 one did
not, 2 a spec or usage error, 3 a limit stopped a search before a verdict. With several
specs the worst wins, in the order 2, 1, 3, 0.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from mmspec import __version__, config, outputs
from mmspec.diagnostics import Diagnostic, SpecError, from_warning, render_diagnostics
from mmspec.outputs import OutputError, OutputPlan

ENGINES = config.ENGINES
PROVE_STATES = 200_000  # --prove: explicit first when the state space is at most this big


class UsageError(Exception):
    pass


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none to show (None, False, [])."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        nothing = action.default is None or action.default is False \
            or action.default == [] or action.default == argparse.SUPPRESS
        if nothing or action.help is None or "default" in action.help:
            return action.help
        return super()._get_help_string(action)


class _SubParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


# --------------------------------------------------------------------------- arguments


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mmspec", description=(
        "Model checker for Linux-kernel memory-management locking protocols."),
        formatter_class=_HelpFormatter)
    p.add_argument("--version", action="version", version=f"mmspec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_SubParser)

    c = sub.add_parser("check", help="check specs exhaustively (or bounded, with bmc)",
                       description="Check specs. Every option's default can be set in a "
                       "[tool.mmspec] table of the nearest pyproject.toml.")
    c.add_argument("paths", nargs="*", metavar="PATH",
                   help="spec files or folders (recursive *.mms); default from "
                        "[tool.mmspec] paths in pyproject.toml")
    c.add_argument("--engine", choices=ENGINES, default=None,
                   help="auto (default: vector when the spec is supported, else explicit), "
                        "explicit, vector, bmc (bounded), kind (k-induction proof), "
                        "pdr (IC3/PDR proof, prints the inductive invariant)")
    c.add_argument("--prove", action="store_true",
                   help=f"a verdict for all depths: explicit when the state space is small "
                        f"(up to {PROVE_STATES:,} states), else --engine pdr")
    c.add_argument("--depth", type=config.arg_type("depth"), default=None, metavar="K",
                   help="bound for bmc (default 20) and kind (default 10); explicit and "
                        "vector stop exploring below depth K (default: no bound)")
    c.add_argument("--max-states", type=config.arg_type("max_states"), default=None,
                   metavar="N",
                   help="stop after N distinct states, exit 3 (default: no limit)")
    c.add_argument("--time-limit", type=config.arg_type("time_limit"), default=None,
                   metavar="SECONDS",
                   help="stop each search after SECONDS, exit 3 (default: no limit)")
    c.add_argument("--memory-limit", type=config.arg_type("memory_limit"), default=None,
                   metavar="MB",
                   help="stop when resident memory exceeds MB, exit 3 (default: no limit)")
    c.add_argument("-D", dest="defines", action="append", default=[],
                   metavar="NAME=VALUE", help="override a const; VALUE may be lo..hi (sweep)")
    c.add_argument("--format", choices=config.FORMATS, default=None,
                   help="what goes to stdout (default: text)")
    c.add_argument("--itf", metavar="FILE", help="write the counterexample as ITF JSON")
    c.add_argument("--html", metavar="FILE", help="write the result as an HTML page (the "
                   "counterexample, or a passing run's statistics and --coverage table)")
    c.add_argument("--junit", metavar="FILE", help="write JUnit XML for all specs")
    c.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 for all specs")
    c.add_argument("--workers", type=config.arg_type("workers"), default=None, metavar="N",
                   help="worker processes for the explicit search (default: 1)")
    c.add_argument("--symmetry", action="store_true", default=None,
                   help="reduce by the spec's symmetric process sets (default: off)")
    c.add_argument("--seed", type=config.arg_type("seed"), default=None, metavar="N",
                   help="seed for any randomised choice, for reproducible runs (default: 0)")
    c.add_argument("--no-deadlock", action="store_true", help="do not report deadlocks")
    c.add_argument("--show-traces", action="store_true",
                   help="print every counterexample, also the expected ones")
    c.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    c.add_argument("--max-errors", type=int, default=1, metavar="N",
                   help="keep searching after a violation; report up to N distinct ones (by "
                        "property and final step), each with its shortest trace (explicit "
                        "engine; auto picks it)")
    c.add_argument("--coverage", action="store_true",
                   help="per action and step label: times enabled, fired, distinct states "
                        "found (explicit engine; auto picks it)")
    c.add_argument("--memory-model", choices=("sc", "lkmm"), default=None,
                   help="memory model for every spec checked, overriding its `option "
                        "memory` (default: the spec's, else sc; docs/memory-model.md)")
    _strict_option(c)
    _include_path_option(c)

    pa = sub.add_parser("parse", help="parse and check a spec, print its AST or IR as JSON")
    pa.add_argument("file", help="the .mms spec")
    pa.add_argument("--dump", choices=("ast", "ir"), default="ir",
                    help="the syntax tree of this file, or the checked and lowered IR")
    pa.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                    help="override a const (single values only)")
    _strict_option(pa)
    _include_path_option(pa)

    s = sub.add_parser("simulate", help="random walks, for specs too big to exhaust")
    s.add_argument("file", help="the .mms spec")
    s.add_argument("--steps", type=config.arg_type("steps"), default=100, help="steps per walk")
    s.add_argument("--runs", type=config.arg_type("runs"), default=100, help="number of walks")
    s.add_argument("--seed", type=config.arg_type("seed"), default=0,
                   help="random seed (same seed, same walks)")
    s.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a const (single values only)")
    s.add_argument("--format", choices=config.FORMATS, default="text",
                   help="what goes to stdout")
    _include_path_option(s)

    t = sub.add_parser("trace", help="re-render a saved ITF trace")
    t.add_argument("file", help="an ITF JSON trace written by check --itf")
    t.add_argument("--html", metavar="OUT", help="write the trace as an HTML page to OUT")
    t.add_argument("--text", action="store_true",
                   help="print the trace as text (the default when --html is not given)")
    t.add_argument("--eval", dest="evals", action="append", default=[], metavar="EXPR",
                   help="print EXPR (a spec expression; the spec's defs may be used) at every "
                        "state, a column each (repeatable)")
    t.add_argument("--spec", metavar="SPEC", help="the spec --eval reads (default: the path "
                   "recorded in the trace)")
    t.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="the const overrides the trace was checked with (for --eval)")
    t.add_argument("--format", choices=("text", "json"), default="text",
                   help="--eval output: a table, or JSON rows (one value per state)")

    lt = sub.add_parser("litmus", help="translate a herd7 C litmus test (the Linux kernel's "
                        "tools/memory-model format) into a .mms spec")
    lt.add_argument("file", help="the .litmus test")
    lt.add_argument("-o", dest="output", metavar="OUT", help="write the spec to OUT "
                    "(default: stdout)")
    lt.add_argument("--origin", metavar="TEXT", help="provenance for the header comment, "
                    "e.g. the kernel path and commit (default: FILE)")

    sub.add_parser("lsp", help="run the language server on stdin/stdout (needs the lsp "
                   "extra: pip install 'mmspec[lsp]')")
    return p


def _strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict-atomicity", dest="strict_atomicity", action="store_true",
                   default=None, help="a step more atomic than the code (warning MMS350: an "
                   "if test fused with a shared write) is an error, exit 2; also "
                   "[tool.mmspec] strict-atomicity = true")


def _include_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--include-path", dest="include_paths", action="append", default=[],
                   metavar="DIR", help="a folder outside the spec's tree that includes may "
                   "read (repeatable; see docs/ci.md)")


def include_paths(args: argparse.Namespace) -> tuple[str, ...]:
    """The --include-path folders, each checked to be an existing folder."""
    out = []
    for d in getattr(args, "include_paths", None) or ():
        if "\0" in d or not os.path.isdir(d):
            raise UsageError(f"--include-path {d!r}: not a folder")
        out.append(d)
    return tuple(out)


_DEFINE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINE_INT = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]{1,40}|[0-9]{1,40})")


def _define_value(name: str, text: str) -> int:
    """One -D integer: ASCII decimal or 0x hex, within the spec literal limit (2^62)."""
    from mmspec.parser import MAX_INT

    t = text.strip()
    if not _DEFINE_INT.fullmatch(t):
        if re.fullmatch(r"[+-]?[0-9]+", t, re.ASCII):
            raise UsageError(f"-D {name}: {t[:20]}... has {len(t)} characters; values must "
                             f"be integers from -2^62 to 2^62 ({MAX_INT})")
        raise UsageError(f"-D {name}: {text!r} is not an integer (ASCII decimal or 0x hex) "
                         "or LO..HI range")
    value = int(t, 0) if t.lstrip("+-")[:2].lower() == "0x" else int(t, 10)
    if abs(value) > MAX_INT:
        raise UsageError(f"-D {name}: {value} is out of range; values must be integers from "
                         f"-2^62 to 2^62 ({MAX_INT})")
    return value


def parse_defines(items: Sequence[str]) -> list[dict[str, int]]:
    """-D NAME=VALUE items as the list of assignments to run (a sweep multiplies them)."""
    names: list[str] = []
    choices: list[list[int]] = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not _DEFINE_NAME.fullmatch(name):
            raise UsageError(f"-D expects NAME=VALUE or NAME=LO..HI, got {item!r}")
        if ".." in value:
            lo_s, hi_s = value.split("..", 1)
            lo, hi = _define_value(name, lo_s), _define_value(name, hi_s)
            if hi < lo or hi - lo > 10_000:
                raise UsageError(f"-D {name}: sweep {value} is empty or longer than 10001 "
                                 "values")
            vals = list(range(lo, hi + 1))
        else:
            vals = [_define_value(name, value)]
        if name in names:
            choices[names.index(name)] = vals
        else:
            names.append(name)
            choices.append(vals)
    return [dict(zip(names, combo)) for combo in itertools.product(*choices)]


def collect_specs(paths: Sequence[str]) -> list[Path]:
    """The spec files to check: each file named, and every *.mms regular file under each
    folder named. The walk skips, with a warning, FIFOs, devices and symlinks leaving the
    folder (they are never opened)."""
    from mmspec.confine import leaves_through_symlink, walk_specs

    out: list[Path] = []
    for p in paths:
        if "\0" in p:
            raise UsageError(f"no such file or folder: {p!r}")
        if not os.path.isabs(p) and leaves_through_symlink(p, "."):
            # `specs/` in a CI job comes from the checkout: a symlink there must not make
            # some other folder the spec tree (see docs/ci.md)
            raise UsageError(f"{p}: a symlink leading outside the working folder; name its "
                             "target to check it")
        path = Path(p)
        if path.is_dir():
            found, skipped = walk_specs(p)
            for sk in skipped:
                sys.stderr.write(f"mmspec: warning: skipped {sk.path}: {sk.reason}\n")
            out.extend(Path(f) for f in found)
        elif os.path.lexists(p):
            out.append(path)
        else:
            raise UsageError(f"no such file or folder: {p}")
    if not out:
        raise UsageError("no .mms specs found in " + ", ".join(paths))
    return out


def spec_tree(path: Path, roots: Sequence[str]) -> str:
    """The folder tree a spec may read: the named folder the walk found it in, else the
    spec's own folder (see mmspec.confine)."""
    for r in roots:
        if os.path.isdir(r) and os.path.commonpath([os.path.abspath(r),
                                                    os.path.abspath(path)]) == \
                os.path.abspath(r):
            return r
    return str(path.parent)


# --------------------------------------------------------------------------- check


def _run_engine(engine: str, system: Any, options: Any) -> Any:
    """Run an engine by name through the registry (checker/engines.py), which imports it
    lazily, picks one for `auto` and writes the notes; `prove` is the CLI's --prove."""
    from checker import engines
    if engine == "prove":
        result = _prove(system, options)
        cov = engines.coverage_note(result, options)
        if cov is not None:
            result.notes.insert(0, cov)
        return result
    return engines.run(engine, system, options)


def _prove(system: Any, options: Any) -> Any:
    """--prove: the explicit engine under a state budget, else the PDR proof; the verdict
    says which engine gave it and what it guarantees."""
    import dataclasses
    from checker import engines
    from checker.result import ExitReason
    budget = options.max_states or PROVE_STATES
    result = engines.get("explicit").check(system,
                                           dataclasses.replace(options, max_states=budget))
    if result.reason in (ExitReason.DONE, ExitReason.VIOLATION):
        result.notes.insert(0, "prove: explicit engine, exhaustive for this configuration")
        return result
    result = engines.get("pdr").check(system, options)
    guarantee = ("inductive for all depths" if result.stats.extra.get("proved")
                 else "no proof")
    result.notes.insert(0, f"prove: more than {budget:,} states, so the pdr engine: "
                        f"{guarantee}")
    return result


def _check_one(path: Path, defines: dict[str, int], settings: dict[str, Any],
               interrupts: "_Interrupts | None" = None) -> dict[str, Any]:
    """Load, ground, check one spec under one -D assignment. Returns a record for output."""
    from mmspec.frontend import load_spec
    from mmspec.ground import GroundError, ground
    from checker.options import CheckOptions
    from mmspec.budget import Budget, BudgetExceeded, watchdog

    rec: dict[str, Any] = {"path": str(path), "defines": defines,
                           "max_errors": settings.get("max_errors") or 1}
    budget = Budget(settings.get("time_limit"), settings.get("memory_limit"),
                    settings.get("max_states"))
    try:  # the limits apply from the first byte: parsing, expansion, grounding (exit 3)
        spec = load_spec(str(path), defines, spec_tree(path, settings.get("roots", ())),
                         settings.get("include_paths", ()), budget=budget,
                         memory=settings.get("memory_model"),
                         strict_atomicity=bool(settings.get("strict_atomicity")))
        rec["warnings"] = spec.warnings
        rec["sources"] = dict(spec.sources)
        system = ground(spec, budget)
        budget.enter("codegen")  # the engines compile, then search under their own limits
    except BudgetExceeded as e:
        rec["stopped"] = e
        return rec
    except SpecError as e:
        rec["diagnostics"] = e.diagnostics
        rec["sources"] = e.sources
        return rec
    except GroundError as e:
        d = Diagnostic(e.code, str(e), e.span)
        rec["diagnostics"] = [d]
        rec["sources"] = dict(spec.sources)
        return rec
    options = CheckOptions(
        max_states=settings.get("max_states"), time_limit=budget.remaining(),
        memory_limit=settings.get("memory_limit"), depth=settings.get("depth"),
        workers=settings.get("workers") or 1, symmetry=bool(settings.get("symmetry")),
        seed=settings.get("seed") or 0,
        deadlock=False if settings.get("no_deadlock") else None,
        progress=None if settings.get("quiet") else sys.stderr,
        stop=interrupts.stop if interrupts is not None else None,
        coverage=bool(settings.get("coverage")), max_errors=settings.get("max_errors") or 1)
    start = time.perf_counter()
    if interrupts is not None:
        interrupts.searching = True
    try:
        with watchdog(budget):
            result = _run_engine(settings.get("engine") or "auto", system, options)
    except BudgetExceeded as e:
        rec["stopped"] = e
        return rec
    finally:
        if interrupts is not None:
            interrupts.searching = False
    if not result.stats.seconds:
        result.stats.seconds = time.perf_counter() - start
    from checker.contexts import annotate
    annotate(result)  # where an atomic section began, which step freed an object
    rec["result"] = result
    return rec


class _Interrupts:
    """SIGINT/SIGTERM during `mmspec check` (a cancelled CI job): lose no finished result.

    The first signal during a search sets `stop`, which the engines read where they check
    --time-limit: the search ends cleanly with partial statistics (ExitReason.INTERRUPTED)
    and no further spec starts. Outside a search (loading a spec), or on a second signal,
    KeyboardInterrupt stops at once. Either way the results so far are printed and the
    requested files written; the exit status is 130.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        from checker.options import StopRequest

        self.stop = StopRequest()
        self.searching = False
        self.count = 0
        self.pid = os.getpid()
        self.saved: dict[int, Any] = {}

    def __enter__(self) -> "_Interrupts":
        try:
            self.saved = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        except ValueError:  # not the main thread (an embedding test): no handlers
            self.saved = {}
        return self

    def __exit__(self, *exc: object) -> None:
        for s, h in self.saved.items():
            signal.signal(s, h)

    def _handle(self, signum: int, frame: Any) -> None:
        if os.getpid() != self.pid:
            # A forked engine worker inherited this handler: the parent coordinates the
            # stop (a Ctrl-C reaches the whole process group); a SIGTERM from the parent
            # closing its pool ends the worker as it would without the handler.
            if signum == signal.SIGTERM:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
            return
        self.count += 1
        self.stop.requested = True
        if self.count > 1 or not self.searching:
            raise KeyboardInterrupt

    @property
    def requested(self) -> bool:
        return self.stop.requested


def _label(rec: dict[str, Any]) -> str:
    d = rec["defines"]
    return str(rec["path"]) + ("" if not d else " [" + ", ".join(f"{k}={v}" for k, v in d.items())
                          + "]")


def cmd_check(args: argparse.Namespace) -> int:
    settings = config.merged_settings(args)
    if getattr(args, "prove", False):
        settings["engine"] = "prove"
    paths = args.paths or settings.get("paths") or []
    if not paths:
        raise UsageError("no specs given (pass paths, or set [tool.mmspec] paths)")
    specs = collect_specs(paths)
    settings["roots"] = [p for p in paths if os.path.isdir(p)]
    settings["include_paths"] = include_paths(args)
    settings["coverage"] = args.coverage
    if args.max_errors < 1:
        raise UsageError(f"--max-errors {args.max_errors}: must be at least 1")
    if args.max_errors > 1 and (settings.get("engine") or "auto") not in ("auto", "explicit"):
        raise UsageError(f"--max-errors: the {settings['engine']} engine stops at the first "
                         "violation; use --engine explicit (or auto)")
    settings["max_errors"] = args.max_errors
    settings["memory_model"] = args.memory_model
    assignments = parse_defines(args.defines)
    runs = [(p, d) for p in specs for d in assignments]
    plan = _plan_outputs(args, runs)
    records: list[dict[str, Any]] = []
    with _Interrupts() as interrupts:
        for p, d in runs:
            try:
                records.append(_check_one(p, d, settings, interrupts))
            except KeyboardInterrupt:
                records.append({"path": str(p), "defines": d, "interrupted": True})
            rec = records[-1]
            if interrupts.requested or _interrupted(rec):
                break
        interrupts.searching = True  # printing and writing: a first signal waits for them
        return _report(args, settings, records, len(runs), plan,
                       interrupted=interrupts.requested or any(map(_interrupted, records)))


def _interrupted(rec: dict[str, Any]) -> bool:
    from checker.result import ExitReason

    return bool(rec.get("interrupted")) or (
        "result" in rec and rec["result"].reason == ExitReason.INTERRUPTED)


def _plan_outputs(args: argparse.Namespace, runs: list[tuple[Path, dict[str, int]]]
                  ) -> OutputPlan:
    """Name every output file and check it can be written, before the first spec runs."""
    try:
        plan = outputs.plan_outputs({"--itf": args.itf, "--html": args.html},
                                    {"--junit": args.junit, "--sarif": args.sarif},
                                    [(str(p), d) for p, d in runs])
        for _opt, path in plan.paths():
            outputs.check_writable(path)
    except outputs.OutputError as e:
        raise UsageError(str(e)) from None
    return plan


def _report(args: argparse.Namespace, settings: dict[str, Any], records: list[dict[str, Any]],
            planned: int, plan: OutputPlan, interrupted: bool) -> int:
    """Print every record, then write the requested files; the exit status of the run."""
    from checker import report

    fmt = settings.get("format") or "text"
    codes: list[int] = []
    json_out: list[dict[str, Any]] = []
    many = planned > 1
    warned: set[str] = set()
    for rec in records:
        if rec.get("warnings") and fmt != "json" and rec["path"] not in warned:
            warned.add(rec["path"])  # once per file, not once per -D run of a sweep
            sys.stderr.write(render_diagnostics([from_warning(w) for w in rec["warnings"]],
                                                rec.get("sources", {})))
        if "stopped" in rec:
            codes.append(report.EXIT_INCOMPLETE)
            if fmt == "json":
                json_out.append(rec["stopped"].to_json(rec["path"], rec["defines"]))
            else:
                sys.stdout.write(f"… {_label(rec)}: incomplete: {rec['stopped']}\n")
            continue
        if "diagnostics" in rec:
            codes.append(report.EXIT_ERROR)
            if fmt == "json":
                json_out.append(report.error_json(rec["path"], rec["diagnostics"],
                                                  rec["defines"]))
            else:
                sys.stdout.write(f"✗ {_label(rec)}: spec error\n")
                sys.stderr.write(render_diagnostics(rec["diagnostics"], rec["sources"]))
            continue
        if "result" not in rec:
            if fmt == "json":
                json_out.append(report.interrupted_json(rec["path"], rec["defines"]))
            else:
                sys.stdout.write(f"… {_label(rec)}: interrupted before its search started\n")
            continue
        result = rec["result"]
        outcome = report.judge(result)
        codes.append(outcome.exit_code)
        if fmt == "json":
            json_out.append(report.result_json(result, rec["path"], rec["defines"]))
        else:
            _print_text(rec, result, outcome, show=args.show_traces or not many
                        or outcome.met is False)
    if fmt == "json":
        payload: Any = json_out[0] if len(json_out) == 1 else json_out
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif interrupted:
        done = sum(1 for r in records if not _interrupted(r))
        sys.stdout.write(f"\ninterrupted: {done} of {planned} spec runs finished\n")
    elif many:
        met = sum(1 for c in codes if c == report.EXIT_OK)
        sys.stdout.write(f"\n{met} of {len(codes)} spec runs met their expectation\n")
    sys.stdout.flush()
    if not _write_outputs(plan, records):
        codes.append(report.EXIT_ERROR)
    if interrupted:
        sys.stderr.write("mmspec: interrupted; the results so far are printed and written\n")
        return report.EXIT_INTERRUPTED
    return report.worst_exit(codes)


def _write_outputs(plan: OutputPlan, records: list[dict[str, Any]]) -> bool:
    """Write every requested file (each atomically); report each failure. All written?"""
    from checker.report import primary_violation

    results = [r["result"] for r in records if "result" in r]
    files: list[tuple[str, Any]] = []
    for i, rec in enumerate(records):
        if "result" not in rec:
            continue
        if "--html" in plan.per_run:  # a passing run's page shows its statistics and coverage
            from checker.render.html import render_html
            files.append((plan.per_run["--html"][i], lambda r=rec["result"]: render_html(r)))
        shown = primary_violation(rec["result"])
        if shown is None:
            continue
        if "--itf" in plan.per_run:
            from checker.render.itf import itf_text
            files.append((plan.per_run["--itf"][i],
                          lambda t=shown.trace, r=rec["result"]: itf_text(t, r)))
            if rec.get("max_errors", 1) > 1:  # the others, one file each: NAME.2.itf.json...
                others = [v for v in rec["result"].violations if v is not shown]
                for k, v in enumerate(others, start=2):
                    files.append((_numbered(plan.per_run["--itf"][i], k),
                                  lambda t=v.trace, r=rec["result"]: itf_text(t, r)))
    if "--junit" in plan.whole:
        from checker.render.junit import render_junit
        files.append((plan.whole["--junit"], lambda: render_junit(results)))
    if "--sarif" in plan.whole:
        from checker.render.sarif import render_sarif
        files.append((plan.whole["--sarif"], lambda: render_sarif(results)))
    ok = True
    for path, render in files:
        try:
            outputs.write_atomic(path, render())
        except outputs.OutputError as e:
            sys.stderr.write(f"mmspec: error: {e}\n")
            ok = False
    return ok


def _numbered(path: str, k: int) -> str:
    """`t.itf.json` -> `t.2.itf.json` (the k-th trace of a --max-errors run)."""
    head, name = os.path.split(path)
    for ext in (".itf.json", ".json"):
        if name.endswith(ext):
            return os.path.join(head, f"{name[:-len(ext)]}.{k}{ext}")
    return f"{path}.{k}"


def _print_text(rec: dict[str, Any], result: Any, outcome: Any, show: bool) -> None:
    mark = {True: "✓", False: "✗", None: "…"}[outcome.met]
    st = result.stats
    from checker import engines
    size = (f"{st.distinct_states:,} states, " if engines.has(result.engine, "counts-states")
            else "")
    sys.stdout.write(f"{mark} {_label(rec)}: {outcome.summary} "
                     f"({size}depth {st.depth}, {st.seconds:.2f}s, {result.engine})\n")
    for note in result.notes:
        sys.stdout.write(f"  note: {note}\n")
    counts = result.stats.extra.get("coverage_counts")
    if counts is not None:
        from checker.coverage import Coverage, render_text as coverage_text
        sys.stdout.write(_indent(coverage_text(Coverage.from_json(counts))) + "\n")
    if show and (result.violations or outcome.met is not True):
        try:
            from checker.render.text import render_result
            text = render_result(result, color=sys.stdout.isatty())
        except ImportError:
            text = _plain_trace(result)
        sys.stdout.write(_indent(text) + "\n")


def _plain_trace(result: Any) -> str:
    """A minimal trace listing, used only if the text renderer is unavailable."""
    lines = []
    for v in result.violations:
        lines.append(f"{v.kind} violated: {v.property}: {v.message}")
        for i, step in enumerate(v.trace.steps):
            lines.append(f"  {i}: {step.label or 'initial state'}")
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line else line for line in text.rstrip("\n").split("\n"))


# --------------------------------------------------------------------------- other commands


def cmd_parse(args: argparse.Namespace) -> int:
    from mmspec import frontend

    assignments = parse_defines(args.defines)
    if len(assignments) != 1:
        raise UsageError("parse takes single -D values, not sweeps")
    if args.dump == "ast":
        tree = frontend.parse_file(args.file)
        data = frontend.ast_to_json(tree)
    else:
        strict = bool(config.merged_settings(args).get("strict_atomicity"))
        spec = frontend.load_spec(args.file, assignments[0], include_paths=include_paths(args),
                                  strict_atomicity=strict)
        sys.stderr.write(render_diagnostics([from_warning(w) for w in spec.warnings],
                                            dict(spec.sources)))
        data = frontend.ir_to_json(spec)
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from mmspec.frontend import load_spec
    from mmspec.ground import ground
    from checker import report
    from checker.simulate import simulate

    assignments = parse_defines(args.defines)
    if len(assignments) != 1:
        raise UsageError("simulate takes single -D values, not sweeps")
    system = ground(load_spec(args.file, assignments[0], include_paths=include_paths(args)))
    with _Interrupts() as interrupts:
        interrupts.searching = True  # a signal ends the walks; what they found is printed
        result = simulate(system, steps=args.steps, runs=args.runs, seed=args.seed,
                          stop=interrupts.stop)
    outcome = report.judge(result)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.result_json(result, args.file, assignments[0]),
                                    indent=2, ensure_ascii=False) + "\n")
    else:
        rec = {"path": args.file, "defines": assignments[0]}
        _print_text(rec, result, outcome, show=True)
    if interrupts.requested:
        return report.EXIT_INTERRUPTED
    return outcome.exit_code  # 3 only when --steps cut a walk (report.judge)


def cmd_trace(args: argparse.Namespace) -> int:
    from checker.render.itf import ItfError
    from checker.render.trace_cmd import rerender

    if args.evals:
        return _trace_eval(args)
    if not args.html and not args.text:
        args.text = True
    try:
        out = rerender(args.file, args.html, args.text)
    except ItfError as e:
        raise UsageError(f"{args.file}: not a readable ITF trace: {e}") from None
    if out:
        sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def _trace_eval(args: argparse.Namespace) -> int:
    """`trace FILE --eval EXPR...`: the expressions' values at every state of the trace."""
    from checker.render.itf import ItfError
    from checker.render import trace_cmd

    assignments = parse_defines(args.defines)
    if len(assignments) != 1:
        raise UsageError("trace takes single -D values, not sweeps")
    if args.text:
        raise UsageError("--eval prints a table (or JSON with --format json); it does not "
                         "combine with --text")
    try:
        table = trace_cmd.query_trace(args.file, args.evals, args.spec, assignments[0])
    except ItfError as e:
        raise UsageError(f"{args.file}: not a readable ITF trace: {e}") from None
    except trace_cmd.QuerySetupError as e:
        raise UsageError(f"{args.file}: {e}") from None
    if args.html:  # the trace's page, each state with the expressions as extra rows
        from mmspec.outputs import write_atomic

        try:
            write_atomic(args.html, trace_cmd.table_html(args.file, table))
        except (OSError, outputs.OutputError) as e:
            raise UsageError(f"--html {args.html}: {e}") from None
        sys.stdout.write(f"wrote {args.html}\n")
        return 0
    if args.format == "json":
        sys.stdout.write(json.dumps(trace_cmd.table_json(table), indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(trace_cmd.table_text(table))
    return 0


def cmd_litmus(args: argparse.Namespace) -> int:
    from mmspec.litmus import translate_file

    text = translate_file(args.file, args.origin)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from None
    else:
        sys.stdout.write(text)
    return 0


def cmd_lsp(args: argparse.Namespace) -> int:
    try:
        from mmspec.lsp import serve
    except ImportError as e:
        if (e.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        raise UsageError(f"the language server needs pygls ({e.name} is missing): "
                         "pip install 'mmspec[lsp]'") from None
    return serve()


# --------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse already printed its usage message
        return 2 if e.code not in (0, None) else 0
    if args.command is None:
        parser.print_help()
        return 2
    handlers = {"check": cmd_check, "parse": cmd_parse, "simulate": cmd_simulate,
                "trace": cmd_trace, "lsp": cmd_lsp, "litmus": cmd_litmus}
    try:
        return handlers[args.command](args)
    except SpecError as e:
        sys.stderr.write(render_diagnostics(e.diagnostics, e.sources))
        return 2
    except (UsageError, config.ConfigError, OutputError) as e:
        sys.stderr.write(f"mmspec: error: {e}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("mmspec: interrupted\n")
        return 130
    except BrokenPipeError:  # `mmspec check ... | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is quiet
        return 141  # what a shell reports for a process ended by SIGPIPE
    except Exception as e:  # an internal error: still no traceback unless asked for
        if os.environ.get("MMSPEC_DEBUG"):
            raise
        sys.stderr.write(f"mmspec: internal error: {type(e).__name__}: {e}\n"
                         "  (this is a bug in mmspec; rerun with MMSPEC_DEBUG=1 for details)\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
