"""The files `mmspec check` writes: their names, a writability check before any spec runs,
and atomic writes.

A CI job that checks a folder of specs must not lose a result: two specs named `x.mms` in
different folders get two files, a path that cannot be written is reported before minutes of
checking (exit 2), and a file is either the complete new one or the old one (written to a
temporary file in the same folder, then renamed over the target), never half of each.
"""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


class OutputError(Exception):
    """An output file that cannot be written; the message names the file and the cause."""


Run = tuple[str, dict[str, int]]  # a spec path and its -D assignment


def run_tags(runs: Sequence[Run]) -> list[str]:
    """A file-name tag per run, unique within the list.

    The spec's file stem when no other spec has the same stem, else its path relative to
    the common folder of the specs sharing that stem, without `.mms`, folders joined by `-`
    (`a/x.mms`, `b/x.mms` -> `a-x`, `b-x`); then `-NAMEvalue` per -D value. A tag that still
    collides (`a-x.mms` next to `a/x.mms`) gets `-2`, `-3`, ... in run order.
    """
    paths = sorted({Path(p) for p, _ in runs})
    by_stem: dict[str, list[Path]] = {}
    for p in paths:
        by_stem.setdefault(p.stem, []).append(p)
    base: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            base[group[0]] = stem
            continue
        absolute = [Path(os.path.abspath(p)) for p in group]
        root = Path(os.path.commonpath([str(a.parent) for a in absolute]))
        for p, a in zip(group, absolute):
            base[p] = "-".join(a.relative_to(root).with_suffix("").parts)
    tags = [base[Path(p)] + "".join(f"-{k}{v}" for k, v in d.items()) for p, d in runs]
    seen: Counter[str] = Counter()
    total = Counter(tags)
    out = []
    for t in tags:
        seen[t] += 1
        out.append(t if total[t] == 1 or seen[t] == 1 else f"{t}-{seen[t]}")
    return out


def per_run_path(base: str, tag: str) -> str:
    """`out.itf.json` + tag `x` -> `out-x.itf.json` (every suffix kept after the tag)."""
    b = Path(base)
    suffix = "".join(b.suffixes)
    core = b.name[: len(b.name) - len(suffix)] if suffix else b.name
    return str(b.with_name(f"{core}-{tag}{suffix}"))


@dataclass(frozen=True)
class OutputPlan:
    """Where each requested file goes. `per_run[option][i]` is run i's file for --itf/--html
    (the option's own path when there is a single run); `whole` holds --junit/--sarif."""

    per_run: dict[str, list[str]]
    whole: dict[str, str]

    def paths(self) -> list[tuple[str, str]]:
        """(option, path) for every file this run may write."""
        out = [(opt, p) for opt, ps in self.per_run.items() for p in ps]
        return out + list(self.whole.items())


def plan_outputs(per_run: dict[str, str | None], whole: dict[str, str | None],
                 runs: Sequence[Run]) -> OutputPlan:
    """Name every file before any spec runs; two options or two runs naming the same file
    is an error (one result would overwrite the other)."""
    tags = run_tags(runs) if len(runs) > 1 else []
    plan = OutputPlan(
        {opt: ([per_run_path(b, t) for t in tags] if tags else [b]) for opt, b in per_run.items()
         if b},
        {opt: p for opt, p in whole.items() if p})
    owners: dict[str, str] = {}
    for opt, p in plan.paths():
        key = os.path.normcase(os.path.abspath(p))
        if key in owners and owners[key] != opt:
            raise OutputError(f"{p}: named by both {owners[key]} and {opt}; one would "
                              "overwrite the other")
        owners[key] = opt
    return plan


def check_writable(path: str) -> None:
    """Raise OutputError unless `path` can be written the way `write_atomic` writes it:
    its folder exists and accepts a new file, and the path is not a folder itself."""
    p = Path(path)
    folder = p.parent
    if p.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    if not folder.exists():
        raise OutputError(f"cannot write {path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{p.name}.", suffix=".probe")
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None
    os.close(fd)
    os.unlink(probe)
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputError(f"cannot write {path}: the file is read-only")


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to a temporary file next to `path`, then rename it over `path`.

    A reader (or a CI artifact upload) sees the old file or the complete new one. Raises
    OutputError naming the file on any failure (full disk, permissions), leaving no
    temporary file behind.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, target)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None


def _umask() -> int:
    """The process umask (mkstemp creates files 0600; a report should be readable as any
    file the user creates)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
