"""What `mmspec check` prints and writes: one line (and trace) per spec run, the JSON
report, the summary line, the requested output files, and the run's exit status."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmspec import outputs
from mmspec.cli_args import UsageError
from mmspec.cli_settings import CheckSettings, RunRecord
from mmspec.diagnostics import from_warning, render_diagnostics
from mmspec.outputs import OutputPlan


if TYPE_CHECKING:
    from checker.report import Outcome
    from checker.result import CheckResult


def was_interrupted(rec: RunRecord) -> bool:
    from checker.result import ExitReason

    return rec.interrupted or (rec.result is not None
                               and rec.result.reason == ExitReason.INTERRUPTED)


def plan_outputs(args: argparse.Namespace, runs: list[tuple[Path, dict[str, int]]]
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


def report_runs(args: argparse.Namespace, settings: CheckSettings, records: list[RunRecord],
                planned: int, plan: OutputPlan, interrupted: bool) -> int:
    """Print every record, then write the requested files; the exit status of the run."""
    from checker import report

    fmt = settings.format
    codes: list[int] = []
    json_out: list[dict[str, Any]] = []
    many = planned > 1
    warned: set[str] = set()
    for rec in records:
        if rec.warnings and fmt != "json" and rec.path not in warned:
            warned.add(rec.path)  # once per file, not once per -D run of a sweep
            sys.stderr.write(render_diagnostics([from_warning(w) for w in rec.warnings],
                                                rec.sources))
        if rec.stopped is not None:
            codes.append(report.EXIT_INCOMPLETE)
            if fmt == "json":
                json_out.append(rec.stopped.to_json(rec.path, rec.defines))
            else:
                sys.stdout.write(f"… {rec.label()}: incomplete: {rec.stopped}\n")
            continue
        if rec.diagnostics is not None:
            codes.append(report.EXIT_ERROR)
            if fmt == "json":
                json_out.append(report.error_json(rec.path, rec.diagnostics, rec.defines))
            else:
                sys.stdout.write(f"✗ {rec.label()}: spec error\n")
                sys.stderr.write(render_diagnostics(rec.diagnostics, rec.sources))
            continue
        if rec.result is None:
            if fmt == "json":
                json_out.append(report.interrupted_json(rec.path, rec.defines))
            else:
                sys.stdout.write(f"… {rec.label()}: interrupted before its search started\n")
            continue
        result = rec.result
        outcome = report.judge(result)
        codes.append(outcome.exit_code)
        if fmt == "json":
            json_out.append(report.result_json(result, rec.path, rec.defines))
        else:
            print_text(rec, result, outcome, show=args.show_traces or not many
                       or outcome.met is False)
    if fmt == "json":
        payload: Any = json_out[0] if len(json_out) == 1 else json_out
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif interrupted:
        done = sum(1 for r in records if not was_interrupted(r))
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


def _write_outputs(plan: OutputPlan, records: list[RunRecord]) -> bool:
    """Write every requested file (each atomically); report each failure. All written?"""
    from checker.report import primary_violation

    results = [r.result for r in records if r.result is not None]
    files: list[tuple[str, Any]] = []
    for i, rec in enumerate(records):
        res = rec.result
        if res is None:
            continue
        if "--html" in plan.per_run:  # a passing run's page shows its statistics and coverage
            from checker.render.html import render_html
            files.append((plan.per_run["--html"][i], lambda r=res: render_html(r)))
        shown = primary_violation(res)
        if shown is None:
            continue
        if "--itf" in plan.per_run:
            from checker.render.itf import itf_text
            files.append((plan.per_run["--itf"][i],
                          lambda t=shown.trace, r=res: itf_text(t, r)))
            if rec.max_errors > 1:  # the others, one file each: NAME.2.itf.json...
                others = [v for v in res.violations if v is not shown]
                for k, v in enumerate(others, start=2):
                    files.append((_numbered(plan.per_run["--itf"][i], k),
                                  lambda t=v.trace, r=res: itf_text(t, r)))
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


def print_text(rec: RunRecord, result: CheckResult, outcome: Outcome, show: bool) -> None:
    mark = {True: "✓", False: "✗", None: "…"}[outcome.met]
    st = result.stats
    from checker import engines
    n = st.distinct_states
    size = (f"{n:,} state{'' if n == 1 else 's'}, " if engines.has(result.engine, "counts-states")
            else "")
    reached = (", ".join(engines.solver_stats(result.engine, st))
               if engines.shows_depth_only(result.engine) else f"depth {st.depth}")
    sys.stdout.write(f"{mark} {rec.label()}: {outcome.summary} "
                     f"({size}{reached}, {st.seconds:.2f}s, {result.engine})\n")
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


def _plain_trace(result: CheckResult) -> str:
    """A minimal trace listing, used only if the text renderer is unavailable."""
    lines = []
    for v in result.violations:
        lines.append(f"{v.kind} violated: {v.property}: {v.message}")
        for i, step in enumerate(v.trace.steps):
            lines.append(f"  {i}: {step.label or 'initial state'}")
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line else line for line in text.rstrip("\n").split("\n"))
