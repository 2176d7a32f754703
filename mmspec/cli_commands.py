"""The commands besides `check`: parse, simulate, trace, litmus, lsp."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mmspec import config
from mmspec.cli_args import UsageError, include_paths, parse_defines
from mmspec.cli_interrupts import Interrupts
from mmspec.cli_settings import RunRecord
from mmspec.diagnostics import from_warning, render_diagnostics


def cmd_parse(args: argparse.Namespace) -> int:
    """`mmspec parse` without the cycle collector: what a parse makes lives to its end, so
    the collections were pure cost (about a tenth of the command on the library's specs,
    whose peak memory they did not lower)."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(args)
    finally:
        if collecting:  # a caller of main() that goes on gets its collector back
            gc.enable()


def _parse(args: argparse.Namespace) -> int:
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
    from mmspec.cli_report import print_text

    assignments = parse_defines(args.defines)
    if len(assignments) != 1:
        raise UsageError("simulate takes single -D values, not sweeps")
    system = ground(load_spec(args.file, assignments[0], include_paths=include_paths(args)))
    with Interrupts() as interrupts:
        interrupts.searching = True  # a signal ends the walks; what they found is printed
        result = simulate(system, steps=args.steps, runs=args.runs, seed=args.seed,
                          stop=interrupts.stop)
    outcome = report.judge(result)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.result_json(result, args.file, assignments[0]),
                                    indent=2, ensure_ascii=False) + "\n")
    else:
        print_text(RunRecord(args.file, assignments[0]), result, outcome, show=True)
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
        from mmspec.outputs import OutputError, write_atomic

        try:
            write_atomic(args.html, trace_cmd.table_html(args.file, table))
        except (OSError, OutputError) as e:
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
