"""What a spec may read: its own tree, the `--include-path` folders and the package prelude.

Specs arrive in pull requests and are checked where CI secrets live, so reading is confined:

- A spec's *tree* is the folder given to the folder walk, or the folder of a spec named on
  the command line. `include` resolves inside the tree, inside an explicit `--include-path`
  folder, or (for a bare name such as `include "kernel"`) in `mmspec/prelude/`. An absolute
  path or a `..` that leaves all of them is an error; so is a symlink that points out.
- Only regular files are read. The file is opened without following a final symlink and
  without blocking (a FIFO or /dev/stdin never hangs the run), checked with `fstat`, and read
  with a size cap *before* decoding, so /dev/zero and /proc files are never slurped.

Every refusal is a `ReadRefused` carrying a reason; callers turn it into a located diagnostic.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

PRELUDE_DIR = str(Path(__file__).resolve().parent / "prelude")
MAX_BYTES = 4_000_000
# Pseudo file systems whose "regular files" are views of the running machine, never specs.
_PSEUDO_ROOTS = ("/proc", "/sys", "/dev")


OUTSIDE = "it is outside the folders a spec may read"


class ReadRefused(Exception):
    """A file mmspec will not read; `str(e)` says why (no file content, ever)."""


def is_inside(real: str, root: str) -> bool:
    """`real` (a resolved path) is `root` or below it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def real_path(path: str) -> str:
    return os.path.realpath(path)


@dataclass(frozen=True)
class Confinement:
    """The folders a spec may read from (resolved), in search order after the includer's."""

    roots: tuple[str, ...]
    include_paths: tuple[str, ...] = ()
    prelude: str = PRELUDE_DIR

    @classmethod
    def for_spec(cls, spec_path: str, tree: str | None = None,
                 include_paths: tuple[str, ...] = ()) -> "Confinement":
        root = tree if tree is not None else (os.path.dirname(spec_path) or ".")
        return cls((real_path(root),), tuple(real_path(p) for p in include_paths))

    def allows(self, real: str) -> bool:
        if any(is_inside(real, p) for p in _PSEUDO_ROOTS):
            return False
        return any(is_inside(real, r) for r in (*self.roots, *self.include_paths,
                                                self.prelude))

    def describe(self) -> str:
        """The allowed folders, in words, for the `expected:` line of a refusal."""
        return "the spec's folder tree, an --include-path folder, or the mmspec prelude"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str, cap: int = MAX_BYTES,
                      confinement: Confinement | None = None) -> bytes:
    """At most `cap` bytes of a regular file, or `ReadRefused`. Never blocks, never follows a
    symlink out of `confinement` (when given), never reads more than cap + 1 bytes."""
    if "\0" in path:
        raise ReadRefused("the path contains a NUL byte")
    real = real_path(path)
    if any(is_inside(real, p) for p in _PSEUDO_ROOTS):
        raise ReadRefused("it is a system file (under /proc, /sys or /dev), not a spec")
    if confinement is not None and not confinement.allows(real):
        raise ReadRefused("it is a symlink leading outside the folders a spec may read"
                          if os.path.islink(path) else OUTSIDE)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(real, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ReadRefused("it changed into a symlink while being read") from None
        raise ReadRefused(e.strerror or type(e).__name__) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadRefused(f"it is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > cap:
            raise ReadRefused(f"it is larger than {cap} bytes")
        chunks: list[bytes] = []
        got = 0
        while got <= cap:
            chunk = os.read(fd, min(cap + 1 - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > cap:
            raise ReadRefused(f"it is larger than {cap} bytes")
        return b"".join(chunks)
    except OSError as e:
        raise ReadRefused(e.strerror or type(e).__name__) from None
    finally:
        os.close(fd)


def include_candidates(includer: str, name: str, conf: Confinement) -> list[str]:
    """Where `include "name"` may live, in search order: next to the including file, in each
    --include-path folder, then (bare names only) the prelude as `name` or `name.mms`."""
    if os.path.isabs(name):
        return [os.path.normpath(name)]
    out = [os.path.normpath(os.path.join(os.path.dirname(includer), name))]
    out += [os.path.join(p, name) for p in conf.include_paths]
    if "/" not in name and os.sep not in name and not name.startswith("."):
        out.append(os.path.join(conf.prelude, name))
        if not name.endswith(".mms"):
            out.append(os.path.join(conf.prelude, name + ".mms"))
    return out


def resolve_include(includer: str, name: str, conf: Confinement) -> str:
    """The file `include "name"` in `includer` reads, or `ReadRefused` (never reads it)."""
    if "\0" in name:
        raise ReadRefused("the path contains a NUL byte")
    if not name.strip():
        raise ReadRefused("the path is empty")
    candidates = include_candidates(includer, name, conf)
    for cand in candidates:
        if os.path.lexists(cand):
            if not conf.allows(real_path(cand)):
                raise ReadRefused(OUTSIDE)
            return cand
    if not conf.allows(real_path(candidates[0])):
        raise ReadRefused(OUTSIDE)
    return candidates[0]


def leaves_through_symlink(path: str, base: str) -> bool:
    """`path` reaches outside `base` only because some component is a symlink (a path that
    climbs out with `..` and no symlink is the caller's explicit choice)."""
    real = real_path(path)
    return real != os.path.normpath(os.path.abspath(path)) and not is_inside(real,
                                                                            real_path(base))


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def walk_specs(folder: str) -> tuple[list[str], list[Skipped]]:
    """Every `*.mms` regular file under `folder` (sorted), and the ones skipped with why:
    FIFOs, devices, sockets, and symlinks whose target leaves the folder. Symlinked folders
    are not descended into (no loops, no escapes)."""
    root = real_path(folder)
    found: list[str] = []
    skipped: list[Skipped] = []
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".mms"):
                continue
            path = os.path.join(here, name)
            reason = _walk_refusal(path, root)
            if reason is None:
                found.append(path)
            else:
                skipped.append(Skipped(path, reason))
    return sorted(found), skipped


def printable_path(path: str) -> bool:
    """No control or other non-printable character: a path that can be printed as it is.
    A file name from a pull request holding a newline would otherwise start a line of
    its own in the CI log (`::error ...` is a GitHub workflow command)."""
    return all(ch.isprintable() for ch in path)


def shown_path(path: str) -> str:
    """A path for a message: as it is if printable, else Python's escaped repr."""
    return path if printable_path(path) else repr(path)


def _walk_refusal(path: str, root: str) -> str | None:
    if not printable_path(path):
        return "a name with control characters (rename it to check it)"
    try:
        lst = os.lstat(path)
    except OSError as e:
        return e.strerror or "cannot stat"
    if stat.S_ISLNK(lst.st_mode):
        real = real_path(path)
        if not is_inside(real, root):
            return "a symlink that leaves the folder"
        try:
            lst = os.stat(real)
        except OSError as e:
            return e.strerror or "a dangling symlink"
    if not stat.S_ISREG(lst.st_mode):
        return f"{_kind(lst.st_mode)}, not a regular file"
    return None
