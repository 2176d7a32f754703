"""The `mmspec` command line: the argument parser, `-D` definitions and sweeps, and which
spec files a run checks. Kept apart from mmspec/cli.py (which runs the commands) so the
parser can be read, and tested, as the CLI's documented surface (docs/cli.md)."""
from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
from pathlib import Path
from typing import Any, Sequence

from mmspec import __version__, config

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
    pa.add_argument("file", type=_path_arg, help="the .mms spec")
    pa.add_argument("--dump", choices=("ast", "ir"), default="ir",
                    help="the syntax tree of this file, or the checked and lowered IR")
    pa.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                    help="override a const (single values only)")
    _strict_option(pa)
    _include_path_option(pa)

    s = sub.add_parser("simulate", help="random walks, for specs too big to exhaust")
    s.add_argument("file", type=_path_arg, help="the .mms spec")
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
    t.add_argument("file", type=_path_arg, help="an ITF JSON trace written by check --itf")
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
    lt.add_argument("file", type=_path_arg, help="the .litmus test")
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


def _path_arg(text: str) -> str:
    """A file argument, refused when it holds a control character: printed in a message
    or a CI log, a newline in it would start a line of its own (a workflow command)."""
    from mmspec.confine import printable_path  # loaded already, by config

    if not printable_path(text):
        raise argparse.ArgumentTypeError(f"{text!r}: a path with control characters; "
                                         "rename it")
    return text


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
    from mmspec.confine import leaves_through_symlink, printable_path, shown_path, walk_specs

    out: list[Path] = []
    for p in paths:
        if "\0" in p:
            raise UsageError(f"no such file or folder: {p!r}")
        if not printable_path(p):
            raise UsageError(f"{shown_path(p)}: a path with control characters; rename it")
        if not os.path.isabs(p) and leaves_through_symlink(p, "."):
            # `specs/` in a CI job comes from the checkout: a symlink there must not make
            # some other folder the spec tree (see docs/ci.md)
            raise UsageError(f"{p}: a symlink leading outside the working folder; name its "
                             "target to check it")
        path = Path(p)
        if path.is_dir():
            found, skipped = walk_specs(p)
            for sk in skipped:
                sys.stderr.write(f"mmspec: warning: skipped {shown_path(sk.path)}: {sk.reason}\n")
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
