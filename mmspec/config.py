"""Defaults from the nearest pyproject.toml's [tool.mmspec] table, as ruff and mypy read theirs.

Command-line options win. Paths in the table are relative to the pyproject.toml's folder.
"""
from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

KEYS = {
    "paths": list, "engine": str, "depth": int, "max_states": int, "time_limit": (int, float),
    "memory_limit": int, "format": str, "workers": int, "symmetry": bool, "seed": int,
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
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{pyproject}: cannot read [tool.mmspec]: {e}") from None
    table = data.get("tool", {}).get("mmspec", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.mmspec] must be a table")
    out: dict[str, Any] = {}
    for key, value in table.items():
        norm = key.replace("-", "_")
        if norm not in KEYS:
            raise ConfigError(f"{pyproject}: unknown key {key!r} in [tool.mmspec] "
                              f"(known: {', '.join(sorted(KEYS))})")
        if not isinstance(value, KEYS[norm]) or (norm != "symmetry" and isinstance(value, bool)
                                                 and KEYS[norm] is not bool):
            raise ConfigError(f"{pyproject}: [tool.mmspec] {key} has the wrong type")
        if norm == "paths":
            if not all(isinstance(p, str) for p in value):
                raise ConfigError(f"{pyproject}: [tool.mmspec] paths must be strings")
            value = [str((pyproject.parent / p)) if not Path(p).is_absolute() else p
                     for p in value]
        out[norm] = value
    return out


def merged_settings(args: argparse.Namespace, start: Path | None = None) -> dict[str, Any]:
    settings = load_table(find_pyproject(start))
    for key in ("engine", "depth", "max_states", "time_limit", "memory_limit", "format",
                "workers", "symmetry", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings["no_deadlock"] = getattr(args, "no_deadlock", False)
    settings["quiet"] = getattr(args, "quiet", False)
    return settings
