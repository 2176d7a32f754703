"""`mmspec check`'s options, resolved once (command line over [tool.mmspec] over defaults)
into one typed object, and the typed record of one spec run that the report prints.

Before this module the CLI passed a `dict[str, Any]` of settings and one of each run's
outcome between its functions, so a misspelt key read as "not set"; mypy now checks both.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import field
from typing import TYPE_CHECKING, Literal, Sequence, cast

from mmspec import config
from mmspec.cli_args import UsageError, include_paths

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

if TYPE_CHECKING:  # the CLI imports the engines lazily: `mmspec parse` never loads them
    from checker.result import CheckResult
    from mmspec.budget import BudgetExceeded
    from mmspec.diagnostics import Diagnostic
    from mmspec.ir import SpecWarning

EngineChoice = Literal["auto", "explicit", "vector", "bmc", "kind", "pdr", "prove"]
OutputFormat = Literal["text", "json"]
MemoryModel = Literal["sc", "lkmm"]


@dataclass(frozen=True)
class CheckSettings:
    """What every spec run of one `mmspec check` uses. `engine` is "prove" for --prove."""

    engine: EngineChoice = "auto"
    format: OutputFormat = "text"
    depth: int | None = None
    max_states: int | None = None
    time_limit: float | None = None
    memory_limit: int | None = None  # MB
    workers: int = 1
    symmetry: bool = False
    seed: int = 0
    strict_atomicity: bool = False
    deadlock: bool = True  # --no-deadlock: False
    quiet: bool = False
    coverage: bool = False
    max_errors: int = 1
    memory_model: MemoryModel | None = None
    paths: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()  # the folders named: each one a spec tree (mmspec.confine)
    include_paths: tuple[str, ...] = ()


def resolve_check_settings(args: argparse.Namespace) -> CheckSettings:
    """The check command's settings, validated: a usage error (exit 2) names the option."""
    merged = config.merged_settings(args)
    engine = cast(EngineChoice, "prove" if getattr(args, "prove", False)
                  else merged.get("engine") or "auto")
    paths = tuple(args.paths or merged.get("paths") or ())
    if not paths:
        raise UsageError("no specs given (pass paths, or set [tool.mmspec] paths)")
    if args.max_errors < 1:
        raise UsageError(f"--max-errors {args.max_errors}: must be at least 1")
    if args.max_errors > 1 and engine not in ("auto", "explicit"):
        raise UsageError(f"--max-errors: the {engine} engine stops at the first "
                         "violation; use --engine explicit (or auto)")
    return CheckSettings(
        engine=engine, format=cast(OutputFormat, merged.get("format") or "text"),
        depth=merged.get("depth"), max_states=merged.get("max_states"),
        time_limit=merged.get("time_limit"), memory_limit=merged.get("memory_limit"),
        workers=merged.get("workers") or 1, symmetry=bool(merged.get("symmetry")),
        seed=merged.get("seed") or 0, strict_atomicity=bool(merged.get("strict_atomicity")),
        deadlock=not merged.get("no_deadlock"), quiet=bool(merged.get("quiet")),
        coverage=bool(args.coverage), max_errors=args.max_errors,
        memory_model=args.memory_model, paths=paths,
        roots=tuple(p for p in paths if os.path.isdir(p)), include_paths=include_paths(args))


@dataclass
class RunRecord:
    """One spec under one -D assignment: exactly one of `stopped` (a limit before the
    search), `diagnostics` (a spec error), `result`, or none of them (interrupted first)."""

    path: str
    defines: dict[str, int]
    max_errors: int = 1
    warnings: Sequence[SpecWarning] = ()
    sources: dict[str, str] = field(default_factory=dict)
    stopped: BudgetExceeded | None = None
    diagnostics: list[Diagnostic] | None = None
    result: CheckResult | None = None
    interrupted: bool = False

    def label(self) -> str:
        """The path, and the -D values of a sweep's run: `a.mms [N=2]`."""
        d = self.defines
        return self.path + ("" if not d else
                            " [" + ", ".join(f"{k}={v}" for k, v in d.items()) + "]")
