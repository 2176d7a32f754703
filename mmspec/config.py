"""Defaults from the nearest pyproject.toml's [tool.mmspec] table, as ruff and mypy read theirs,
and the one table of allowed values that both the command line and that table are checked
against (so `--workers 0` and `workers = 0` get the same message naming the range).

Command-line options win. Paths in the table are relative to the pyproject.toml's folder.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from mmspec.confine import ReadRefused, is_inside, read_regular_file, real_path

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

ENGINES = ("auto", "explicit", "vector", "bmc", "kind", "pdr")
FORMATS = ("text", "json")

@dataclass(frozen=True)
class Range:
    """An allowed numeric range: integers or finite numbers from `lo` (exclusive when
    `lo_open`) to `hi`."""

    integer: bool
    lo: float
    hi: float
    lo_open: bool = False

    def describe(self) -> str:
        what = "an integer" if self.integer else "a number"
        lo, hi = _num(self.lo), _num(self.hi)
        return f"{what} > {lo} and <= {hi}" if self.lo_open else f"{what} from {lo} to {hi}"

    def admits(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        low_ok = value > self.lo if self.lo_open else value >= self.lo
        return low_ok and value <= self.hi


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


RANGES: dict[str, Range] = {
    "depth": Range(True, 0, 1_000_000),
    "max_states": Range(True, 1, 10 ** 15),
    "time_limit": Range(False, 0, 10 ** 9, lo_open=True),   # seconds
    "memory_limit": Range(True, 1, 10 ** 9),                # MB
    "workers": Range(True, 1, 1024),
    "seed": Range(True, 0, 2 ** 63 - 1),
    "steps": Range(True, 0, 10 ** 9),                        # simulate
    "runs": Range(True, 1, 10 ** 9),                         # simulate
}
CHOICES: dict[str, tuple[str, ...]] = {"engine": ENGINES, "format": FORMATS}


def check_value(key: str, value: Any) -> str | None:
    """Why `value` is not allowed for `key` (None when it is)."""
    if key in CHOICES:
        if value not in CHOICES[key]:
            return "must be one of " + ", ".join(CHOICES[key])
        return None
    r = RANGES.get(key)
    if r is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            r.integer and not isinstance(value, int)):
        return f"must be {r.describe()}"
    if not r.admits(value):
        return f"must be {r.describe()}"
    return None


def arg_type(key: str) -> Callable[[str], Any]:
    """An argparse `type=` that parses and range-checks (argparse turns the error into a
    usage message and exit status 2)."""
    r = RANGES[key]

    def parse(text: str) -> Any:
        problem = f"must be {r.describe()}"
        try:
            if not text.isascii():  # int() would read '٣' as 3
                raise ValueError
            value: Any = int(text) if r.integer else float(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{problem}, got {text!r}") from None
        if check_value(key, value):
            raise argparse.ArgumentTypeError(f"{problem}, got {text}")
        return value
    parse.__name__ = key  # argparse names the type in some messages
    return parse


KEYS: dict[str, type | tuple[type, ...]] = {
    "paths": list, "engine": str, "depth": int, "max_states": int, "time_limit": (int, float),
    "memory_limit": int, "format": str, "workers": int, "symmetry": bool, "seed": int,
    "strict_atomicity": bool,
}


class ConfigError(Exception):
    pass


def find_pyproject(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_table(pyproject: Path | None) -> dict[str, Any]:
    if pyproject is None:
        return {}
    if sys.version_info >= (3, 11):  # imported here: `mmspec parse` outside a project skips it
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI (a dependency only there)
        import tomli as tomllib
    try:  # read like a spec: a regular file, capped, never blocking (it may come in a PR)
        data = tomllib.loads(read_regular_file(str(pyproject), 1_000_000).decode("utf-8"))
    except ReadRefused as e:
        raise ConfigError(f"{pyproject}: cannot read it: {e}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{pyproject}: cannot read [tool.mmspec]: {e}") from None
    table = data.get("tool", {}).get("mmspec", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.mmspec] must be a table")
    out: dict[str, Any] = {}
    items: list[tuple[str, Any]] = list(table.items())
    for key, value in items:
        norm = key.replace("-", "_")
        if norm not in KEYS:
            raise ConfigError(f"{pyproject}: unknown key {key!r} in [tool.mmspec] "
                              f"(known: {', '.join(sorted(KEYS))})")
        if not isinstance(value, KEYS[norm]) or (norm not in ("symmetry", "strict_atomicity")
                                                 and isinstance(value, bool)
                                                 and KEYS[norm] is not bool):
            raise ConfigError(f"{pyproject}: [tool.mmspec] {key} has the wrong type")
        problem = check_value(norm, value)
        if problem:
            raise ConfigError(f"{pyproject}: [tool.mmspec] {key} = {value!r}: {problem}")
        if norm == "paths" and isinstance(value, list):
            if not all(isinstance(p, str) for p in value):
                raise ConfigError(f"{pyproject}: [tool.mmspec] paths must be strings")
            value = [str((pyproject.parent / p)) if not Path(p).is_absolute() else p
                     for p in value]
            for p in value:  # pyproject.toml may come with a pull request: stay in its folder
                if not is_inside(real_path(p), real_path(str(pyproject.parent))):
                    raise ConfigError(f"{pyproject}: [tool.mmspec] paths: {p} is outside "
                                      "the folder of pyproject.toml")
        out[norm] = value
    return out


def merged_settings(args: argparse.Namespace, start: Path | None = None) -> dict[str, Any]:
    settings = load_table(find_pyproject(start))
    for key in ("engine", "depth", "max_states", "time_limit", "memory_limit", "format",
                "workers", "symmetry", "seed", "strict_atomicity"):
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings["no_deadlock"] = getattr(args, "no_deadlock", False)
    settings["quiet"] = getattr(args, "quiet", False)
    return settings
