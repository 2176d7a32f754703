"""The malformed-spec corpus: every file in tests/malformed/ must fail with a coded diagnostic.

Each `*.mms` starts with `// expect: CODE LINE:COL` (or `CODE other_file:LINE:COL`, or
`CODE <command line>` for -D errors), optionally followed by `// defines: NAME=V`. The code
and position are written by hand; the rendered diagnostics are compared with the golden
`*.expected` next to it. Regenerate goldens with MMSPEC_UPDATE_GOLDEN=1 (then review the diff).
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from mmspec.diagnostics import SpecError, render_diagnostics
from mmspec.errorcodes import CODES, WARNINGS
from mmspec.frontend import load_spec

HERE = Path(__file__).resolve().parent / "malformed"
CASES = sorted(HERE.glob("*.mms"))
UPDATE = os.environ.get("MMSPEC_UPDATE_GOLDEN") == "1"


def _header(path: Path) -> tuple[str, str, dict[str, int]]:
    lines = path.read_bytes().split(b"\n")
    m = re.match(rb"// expect: (MMS\d{3}) (.+)$", lines[0])
    assert m, f"{path.name}: first line must be '// expect: CODE LINE:COL'"
    defines: dict[str, int] = {}
    if len(lines) > 1 and lines[1].startswith(b"// defines:"):
        for item in lines[1][len(b"// defines:"):].decode().split():
            k, v = item.split("=")
            defines[k] = int(v)
    return m.group(1).decode(), m.group(2).decode().strip(), defines


def _render(diags: list, sources: dict[str, str]) -> str:
    """Rendered as the CLI does: from the texts the front-end read, never re-reading files."""
    text = render_diagnostics(diags, sources)
    return text.replace(str(HERE) + os.sep, "tests/malformed/")


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_malformed(path: Path) -> None:
    code, where, defines = _header(path)
    assert code in CODES, f"unregistered code {code}"
    with pytest.raises(SpecError) as info:
        load_spec(str(path), defines)
    diags = info.value.diagnostics
    assert diags, "SpecError without diagnostics"
    got = []
    for d in diags:
        base = os.path.basename(d.span.file)
        pos = f"{d.span.line}:{d.span.col}"
        got.append((d.code, pos if base == path.name else f"{base}:{pos}")
                   if d.span.line > 0 else (d.code, d.span.file))
    assert (code, where) in got, f"expected {code} at {where}, got {got}"
    rendered = _render(diags, info.value.sources)
    golden = path.with_suffix(".expected")
    if UPDATE or not golden.exists():
        golden.write_text(rendered, encoding="utf-8")
    want = golden.read_text(encoding="utf-8")
    if rendered != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), rendered.splitlines(True),
                                            "expected", "got"))
        pytest.fail(f"rendered diagnostics differ from {golden.name} "
                    f"(MMSPEC_UPDATE_GOLDEN=1 to regenerate):\n{diff}")


def test_every_front_end_code_has_a_corpus_example() -> None:
    """Codes are banded by phase, and each one the front-end reports has an example here
    (MMS100, an unreadable file, is covered in test_frontend_lower; MMS5xx are run time)."""
    seen: set[str] = set()
    for path in CASES:
        seen.add(_header(path)[0])
        golden = path.with_suffix(".expected")
        if golden.exists():
            seen |= set(re.findall(r"error\[(MMS\d{3})\]", golden.read_text(encoding="utf-8")))
    for code in CODES:
        assert re.fullmatch(r"MMS[1-5]\d\d", code)
    # warnings (errorcodes.WARNINGS) do not stop loading: tests/test_atomicity.py has them
    missing = sorted(c for c in CODES if c not in seen and c != "MMS100" and
                     not c.startswith("MMS5") and c not in WARNINGS)
    assert not missing


def test_the_cli_reports_every_corpus_case_without_an_internal_error(capsys) -> None:
    """The whole corpus through `mmspec check` (a folder walk): every case is a coded spec
    error, exit 2, and nothing is an internal error or a traceback."""
    from mmspec import cli

    assert cli.main(["check", "--quiet", str(HERE)]) == 2
    captured = capsys.readouterr()
    assert "internal error" not in captured.err and "Traceback" not in captured.err
    # cases whose error needs a `// defines:` value are spec errors only with it
    plain = [p for p in CASES if not _header(p)[2]]
    assert captured.out.count(": spec error\n") == len(plain)
