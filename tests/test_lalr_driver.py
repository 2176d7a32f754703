"""mmspec/lalr.py (our LALR driver and contextual lexer over the shipped tables) against lark's
parser, the reference: the same tree (node names, children, every token's terminal, text and
position, every node's span) and the same error (kind, position, token, expected set), on the
library, the malformed corpus and cut or damaged copies of library specs. And `mmspec parse`
no longer imports lark; where the tables do not fit, lark parses with the same results."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lark.exceptions import UnexpectedInput as LarkUnexpected

from mmspec import lalr, parser
from mmspec.diagnostics import SpecError, render_diagnostics
from mmspec.parse_tables import load_parser
from mmspec.parse_tree import Token, Tree, UnexpectedInput, from_lark

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "specs").rglob("*.mms"))
MALFORMED = sorted((ROOT / "tests" / "malformed").glob("*.mms"))
SPEC = "specs/fput/fput_sync_under_mmap_sem.mms"
BAD = ["", "   \n// only a comment\n", "spec x\nvar a: 0..3 = \n", "process p { x := 1 +* 2 }",
       "spec\n", "var a: bool = (1", "invariant i: a /\\ b", "process p { l: await x = 1 }",
       "const N = 3 #", "spec s\n@", "var var: bool", "spec s\nvar x: bool = tru€"]


def _canon(tree: Tree) -> list[Any]:
    """The tree in pre-order: nodes with their spans (all of Meta), tokens with positions."""
    out: list[Any] = []
    stack: list[Any] = [tree]
    while stack:
        n = stack.pop()
        if isinstance(n, Tree):
            out.append(("tree", n.data, len(n.children), sorted(vars(n.meta).items())))
            stack.extend(reversed(n.children))
        elif isinstance(n, Token):
            out.append(("token", n.type, str(n), n.start_pos, n.line, n.column, n.end_line,
                        n.end_column, n.end_pos))
        else:
            out.append(n)
    return out


def _error(e: Any) -> tuple[Any, ...]:
    tok = getattr(e, "token", None)
    expected = getattr(e, "expected", None) or getattr(e, "allowed", None) or ()
    return (type(e).__name__, e.line, e.column, e.pos_in_stream, frozenset(expected),
            None if tok is None else (tok.type, str(tok), tok.start_pos))


def _ours(d: lalr.Driver, text: str) -> Any:
    try:
        return _canon(d.parse(text))
    except UnexpectedInput as e:
        return _error(e)


def _larks(lark: Any, text: str) -> Any:
    try:
        return _canon(from_lark(lark.parse(text)))
    except LarkUnexpected as e:
        return _error(e)


@pytest.fixture(scope="module")
def both() -> tuple[lalr.Driver, Any]:
    d = lalr.load_shipped()
    assert d is not None, "the shipped tables do not fit grammar.lark: python -m mmspec.parse_tables"
    return d, load_parser()


def _variants(text: str) -> list[str]:
    """The text, cut at 3 points, and with a first brace, ':=', '(' or keyword damaged."""
    cuts = [text[: len(text) * k // 4] for k in range(1, 4)]
    return [text, *cuts, text.replace("{", "", 1), text.replace(":=", "=", 1),
            text.replace("(", "[", 1), text.replace("var", "var var", 1), text + "\n$"]


def test_library_trees_and_errors_match_lark(both: tuple[lalr.Driver, Any]) -> None:
    d, lark = both
    assert len(LIBRARY) >= 30
    checked = 0
    for path in LIBRARY:
        for text in _variants(path.read_text(encoding="utf-8")):
            assert _ours(d, text) == _larks(lark, text), (path, len(text))
            checked += 1
    assert checked == len(LIBRARY) * 9


def test_malformed_corpus_and_bad_input_match_lark(both: tuple[lalr.Driver, Any]) -> None:
    d, lark = both
    texts = [p.read_bytes().decode("utf-8", "replace") for p in MALFORMED] + BAD
    errors = 0
    for text in texts:
        ours = _ours(d, text)
        assert ours == _larks(lark, text), text[:200]
        errors += isinstance(ours, tuple)
    assert errors >= len(BAD) - 2  # all of BAD but the empty and comment-only files fail


def _diagnostics(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            parser.parse_text(text, path.name)
            out.append("ok")
        except SpecError as e:
            out.append(render_diagnostics(e.diagnostics, e.sources))
    return out


def test_lark_fallback_gives_the_same_diagnostics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables that do not fit (another grammar): lark parses; messages stay the same."""
    paths = MALFORMED + LIBRARY[:5]
    with_driver = _diagnostics(paths)
    monkeypatch.setattr(parser, "_driver", lambda: None)
    assert _diagnostics(paths) == with_driver
    # the corpus files whose hand-written header names a parse-time code fail here (left out:
    # MMS106, nesting too deep, is also a later phase's; MMS101, bad UTF-8, is the reader's)
    codes = [p.read_bytes().split(b"\n")[0].decode().split()[2] for p in MALFORMED]
    parse_codes = {f"MMS{n}" for n in range(102, 111)}
    skip = {"MMS101", "MMS106"}
    assert [d != "ok" for d, c in zip(with_driver, codes) if c not in skip] == \
        [c in parse_codes for c in codes if c not in skip]


def test_stale_tables_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lalr, "grammar_sha", lambda grammar: "0" * 64)
    assert lalr.load_shipped() is None


def test_parse_does_not_import_lark() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "mmspec.cli", "parse",
                           SPEC], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:")}
    assert "mmspec.lalr" in modules
    assert not {m for m in modules if m.split(".")[0] == "lark"}
