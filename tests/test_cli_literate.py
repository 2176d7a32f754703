"""Black-box CLI tests read from tests/cli/*.md, in the style of Quint's literate CLI tests.

Each .md file is a short session that runs in its own temporary folder (a copy of specs/),
command after command, so a later command can read what an earlier one wrote. Fenced blocks:

- ```file PATH``` writes PATH (relative to the folder) with the block's text.
- ```sh``` holds commands. `$ mmspec ARGS [> OUT]` runs `python -m mmspec.cli ARGS` with the
  repository on PYTHONPATH (`> OUT` saves stdout to OUT). The lines after it, up to
  `[exit N]`, are expected in stdout+stderr in that order (other lines may come between);
  `...` in an expected line matches any text (timings, paths); a line starting `!! ` must
  not appear anywhere. `[exit N]` is the expected exit status. `$ cd DIR` moves the
  session into DIR (relative to the session's folder).
- ```check``` holds file checks: `exists F`, `absent F`, `json F` (parses), `xml F`
  (parses), `json F PATH = VALUE` (PATH dotted, list indices as numbers, VALUE JSON).

Expectations come from docs/cli.md and README.md, and counts of the toy specs are derived by
hand in the .md files; a disagreement with the docs is a bug to report, not to paste over.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((REPO / "tests" / "cli").glob("*.md"))
FENCE = re.compile(r"^```(\w+)[ \t]*(.*?)\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass
class Command:
    argv: list[str]
    stdout_to: str | None
    expected: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    exit_code: int | None = None
    cd: str | None = None  # `$ cd DIR`: later commands of the session run in DIR


def parse_commands(text: str) -> list[Command]:
    """The `$ mmspec ...` commands of a sh block with their expectations."""
    commands: list[Command] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            words = shlex.split(line[2:])
            if words[0] == "cd":
                commands.append(Command([], None, exit_code=0, cd=words[1]))
                continue
            assert words[0] == "mmspec", f"only mmspec commands run: {line}"
            out = None
            if len(words) >= 2 and words[-2] == ">":
                out, words = words[-1], words[:-2]
            commands.append(Command(words[1:], out))
        elif m := re.fullmatch(r"\[exit (\d+)\]", line.strip()):
            commands[-1].exit_code = int(m.group(1))
        elif line.startswith("!! "):
            commands[-1].forbidden.append(line[3:])
        elif line.strip():
            commands[-1].expected.append(line)
    for c in commands:
        assert c.exit_code is not None, f"no [exit N] after $ mmspec {' '.join(c.argv)}"
    return commands


def _pattern(expected: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in expected.strip().split("...")]
    return re.compile(".*".join(parts))


def run_command(cmd: Command, cwd: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="100")
    proc = subprocess.run([sys.executable, "-m", "mmspec.cli", *cmd.argv], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)
    if cmd.stdout_to:
        (cwd / cmd.stdout_to).write_text(proc.stdout)
    shown = f"$ mmspec {shlex.join(cmd.argv)}\n--- stdout\n{proc.stdout[-4000:]}" \
            f"\n--- stderr\n{proc.stderr[-4000:]}"
    lines = (proc.stdout + proc.stderr).splitlines()
    assert proc.returncode == cmd.exit_code, \
        f"exit {proc.returncode}, expected {cmd.exit_code}\n{shown}"
    at = 0
    for want in cmd.expected:
        pat = _pattern(want)
        while at < len(lines) and not pat.search(lines[at]):
            at += 1
        assert at < len(lines), f"expected line not found (in order): {want!r}\n{shown}"
        at += 1
    for bad in cmd.forbidden:
        pat = _pattern(bad)
        assert not any(pat.search(line) for line in lines), f"forbidden line: {bad!r}\n{shown}"


def _json_path(data: object, path: str) -> object:
    for key in path.split("."):
        data = data[int(key)] if isinstance(data, list) else data[key]  # type: ignore[index]
    return data


def run_check(line: str, cwd: Path) -> None:
    words = line.split(None, 2)
    if not words:
        return
    op, name = words[0], words[1]
    target = cwd / name
    if op == "exists":
        assert target.is_file(), f"{name} was not written"
    elif op == "absent":
        assert not target.exists(), f"{name} should not exist"
    elif op == "contains":  # the file holds this text (HTML: as escaped on the page)
        assert words[2] in target.read_text(), f"{name} lacks {words[2]!r}"
    elif op == "xml":
        ET.parse(target)
    elif op == "json" and len(words) == 2:
        json.loads(target.read_text())
    elif op == "json":
        path, value = (s.strip() for s in words[2].split("=", 1))
        got = _json_path(json.loads(target.read_text()), path)
        assert got == json.loads(value), f"{name} {path}: {got!r}, expected {value}"
    else:
        raise AssertionError(f"unknown check: {line}")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_cli_session(case: Path, tmp_path: Path) -> None:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    cwd = tmp_path
    blocks = FENCE.findall(case.read_text())
    assert blocks, f"{case.name}: no fenced blocks"
    for kind, arg, body in blocks:
        if kind == "file":
            target = tmp_path / arg.strip()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
        elif kind == "sh":
            for cmd in parse_commands(body):
                if cmd.cd is not None:
                    cwd = tmp_path / cmd.cd
                else:
                    run_command(cmd, cwd)
        elif kind == "check":
            for line in body.splitlines():
                run_check(line, tmp_path)


def test_cases_exist() -> None:
    """The folder is not empty by accident: each documented CLI area has a session."""
    assert len(CASES) >= 8, [c.name for c in CASES]


def test_runner_rejects_wrong_expectations(tmp_path: Path) -> None:
    """The runner is not vacuous: a missing line, a wrong status or a forbidden line fail."""
    for session in ("$ mmspec --version\nno such line\n[exit 0]",
                    "$ mmspec --version\n[exit 1]",
                    "$ mmspec --version\n!! ...\n[exit 0]"):
        with pytest.raises(AssertionError):
            run_command(parse_commands(session)[0], tmp_path)
