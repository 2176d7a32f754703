"""The `mmspec` command: the only place that wires the front-end to the engines and renderers.

Exit statuses (a contract, see docs/cli.md): 0 every spec met its expectation, 1 one did
not, 2 a spec or usage error, 3 a limit stopped a search before a verdict. With several
specs the worst wins, in the order 2, 1, 3, 0.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from mmspec import config
from mmspec.cli_args import (ENGINES, PROVE_STATES, UsageError, _build_parser, collect_specs, include_paths,
                             parse_defines, spec_tree)
from mmspec.cli_commands import cmd_litmus, cmd_lsp, cmd_parse, cmd_simulate, cmd_trace
from mmspec.cli_interrupts import Interrupts as _Interrupts
from mmspec.cli_settings import CheckSettings, EngineChoice, RunRecord, resolve_check_settings
from mmspec.diagnostics import Diagnostic, SpecError, render_diagnostics

if TYPE_CHECKING:  # imported where used: `mmspec parse` never loads an engine
    from checker.options import CheckOptions
    from checker.result import CheckResult
    from mmspec.gsystem import GroundSystem

__all__ = ["ENGINES", "UsageError", "collect_specs", "include_paths", "main", "parse_defines",
           "signal", "spec_tree", "cmd_check", "cmd_litmus", "cmd_lsp", "cmd_parse",
           "cmd_simulate", "cmd_trace"]


# --------------------------------------------------------------------------- check


def _run_engine(engine: EngineChoice, system: GroundSystem, options: CheckOptions
                ) -> CheckResult:
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


def _prove(system: GroundSystem, options: CheckOptions) -> CheckResult:
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


def _check_one(path: Path, defines: dict[str, int], settings: CheckSettings,
               interrupts: "_Interrupts | None" = None) -> RunRecord:
    """Load, ground, check one spec under one -D assignment. Returns a record for output."""
    from mmspec.frontend import load_spec
    from mmspec.ground import GroundError, ground
    from checker.options import CheckOptions
    from mmspec.budget import Budget, BudgetExceeded, watchdog

    rec = RunRecord(str(path), defines, max_errors=settings.max_errors)
    budget = Budget(settings.time_limit, settings.memory_limit, settings.max_states)
    try:  # the limits apply from the first byte: parsing, expansion, grounding (exit 3)
        spec = load_spec(str(path), defines, spec_tree(path, settings.roots),
                         settings.include_paths, budget=budget, memory=settings.memory_model,
                         strict_atomicity=settings.strict_atomicity)
        rec.warnings = spec.warnings
        rec.sources = dict(spec.sources)
        system = ground(spec, budget)
        budget.enter("codegen")  # the engines compile, then search under their own limits
    except BudgetExceeded as e:
        rec.stopped = e
        return rec
    except SpecError as e:
        rec.diagnostics = list(e.diagnostics)
        rec.sources = dict(e.sources)
        return rec
    except GroundError as e:
        rec.diagnostics = [Diagnostic(e.code, str(e), e.span)]
        rec.sources = dict(spec.sources)
        return rec
    options = CheckOptions(
        max_states=settings.max_states, time_limit=budget.remaining(),
        memory_limit=settings.memory_limit, depth=settings.depth,
        workers=settings.workers, symmetry=settings.symmetry, seed=settings.seed,
        deadlock=None if settings.deadlock else False,
        progress=None if settings.quiet else sys.stderr,
        stop=interrupts.stop if interrupts is not None else None,
        coverage=settings.coverage, max_errors=settings.max_errors)
    start = time.perf_counter()
    if interrupts is not None:
        interrupts.searching = True
    try:
        with watchdog(budget):
            result = _run_engine(settings.engine, system, options)
    except BudgetExceeded as e:
        rec.stopped = e
        return rec
    finally:
        if interrupts is not None:
            interrupts.searching = False
    if not result.stats.seconds:
        result.stats.seconds = time.perf_counter() - start
    from checker.contexts import annotate
    annotate(result)  # where an atomic section began, which step freed an object
    rec.result = result
    return rec


def cmd_check(args: argparse.Namespace) -> int:
    from mmspec.cli_report import plan_outputs as _plan_outputs, report_runs as _report
    from mmspec.cli_report import was_interrupted as _interrupted  # (not loaded by `parse`)

    settings = resolve_check_settings(args)
    specs = collect_specs(settings.paths)
    assignments = parse_defines(args.defines)
    runs = [(p, d) for p in specs for d in assignments]
    plan = _plan_outputs(args, runs)
    records: list[RunRecord] = []
    with _Interrupts() as interrupts:
        for p, d in runs:
            try:
                records.append(_check_one(p, d, settings, interrupts))
            except KeyboardInterrupt:
                records.append(RunRecord(str(p), d, interrupted=True))
            rec = records[-1]
            if interrupts.requested or _interrupted(rec):
                break
        interrupts.searching = True  # printing and writing: a first signal waits for them
        return _report(args, settings, records, len(runs), plan,
                       interrupted=interrupts.requested or any(map(_interrupted, records)))


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
    except (UsageError, config.ConfigError) as e:
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
        from mmspec.outputs import OutputError  # loaded only here and by commands that write
        if isinstance(e, OutputError):
            sys.stderr.write(f"mmspec: error: {e}\n")
            return 2
        if os.environ.get("MMSPEC_DEBUG"):
            raise
        sys.stderr.write(f"mmspec: internal error: {type(e).__name__}: {e}\n"
                         "  (this is a bug in mmspec; rerun with MMSPEC_DEBUG=1 for details)\n")
        return 2


def entry() -> int:
    """The `mmspec` console script and `python -m mmspec.cli`: `main()`, then
    `gc.freeze()` so that the interpreter's last garbage collection, at exit, does not walk
    every object the run made (about a tenth of a `mmspec parse`). Only for a process that
    ends here: a caller of `main()` that goes on keeps its collector as it was."""
    code = main()
    import gc
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(entry())
