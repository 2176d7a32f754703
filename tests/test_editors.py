"""The editor files under editors/: the VS Code TextMate grammar tokenises every library spec
without an `invalid` scope, gives every reserved word a keyword-like scope, and the Vim
syntax file lists the same reserved words.

The tokenizer below implements the subset of TextMate the grammar uses: `match` rules with
optional `captures`, `begin`/`end` rules with inner `patterns`, `include` of repository
entries, leftmost match wins (ties: first rule; inside a begin/end rule the end pattern wins
ties), one line at a time with begin/end rules carried across lines. TextMate's regexes are
Oniguruma; the grammar uses only what Python's `re` reads the same way (checked: every
pattern compiles).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mmspec.lockops import OPS
from mmspec.parser import KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((VSCODE / "syntaxes" / "mms.tmLanguage.json").read_text("utf-8"))
LIBRARY = sorted((ROOT / "specs").rglob("*.mms"))


@dataclass
class Rule:
    name: str | None
    match: re.Pattern[str] | None = None
    captures: dict[int, str] = field(default_factory=dict)
    begin: re.Pattern[str] | None = None
    end: re.Pattern[str] | None = None
    patterns: list["Rule"] = field(default_factory=list)


def _rules(items: list[dict[str, Any]]) -> list[Rule]:
    out: list[Rule] = []
    for item in items:
        if "include" in item:
            ref = item["include"]
            assert ref.startswith("#"), f"only repository includes are supported: {ref}"
            out.extend(_rules(GRAMMAR["repository"][ref[1:]]["patterns"]))
        elif "match" in item:
            caps = {int(k): v["name"] for k, v in item.get("captures", {}).items()}
            out.append(Rule(item.get("name"), re.compile(item["match"]), caps))
        else:
            out.append(Rule(item.get("name"), begin=re.compile(item["begin"]),
                            end=re.compile(item["end"]),
                            patterns=_rules(item.get("patterns", []))))
    return out


TOP = _rules(GRAMMAR["patterns"])


def tokenize(text: str) -> list[tuple[str, str]]:
    """(token text, scope) pairs; non-blank text no rule matched gets the scope '?'."""
    tokens: list[tuple[str, str]] = []
    stack: list[Rule] = []  # open begin/end rules, carried across lines

    def gap(piece: str) -> None:
        if piece.strip():
            tokens.append((piece, (stack[-1].name or "?") if stack else "?"))

    for line in text.split("\n"):
        pos = 0
        while True:
            rules = stack[-1].patterns if stack else TOP
            best: tuple[int, int, Rule | None, re.Match[str]] | None = None
            if stack:
                assert stack[-1].end is not None
                m = stack[-1].end.search(line, pos)
                if m:
                    best = (m.start(), -1, None, m)
            for i, r in enumerate(rules):
                pat = r.match or r.begin
                assert pat is not None
                m = pat.search(line, pos)
                if m and m.end() > m.start() and (best is None or m.start() < best[0]):
                    best = (m.start(), i, r, m)
            if best is None:
                gap(line[pos:])
                break
            start, _, rule, m = best
            gap(line[pos:start])
            if rule is None:
                if m.group(0):
                    tokens.append((m.group(0), stack[-1].name or "?"))
                stack.pop()
            elif rule.match is not None and rule.captures:
                tokens.extend((m.group(g), scope) for g, scope in rule.captures.items()
                              if m.group(g))
            else:
                tokens.append((m.group(0), rule.name or "?"))
                if rule.begin is not None:
                    stack.append(rule)
            pos = m.end()
            if pos >= len(line) and not (stack and stack[-1].end is not None
                                         and stack[-1].end.search(line, pos)):
                break
    return tokens


def test_every_pattern_compiles_as_python_regex() -> None:
    assert TOP  # _rules compiled them all at import


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_library_spec_has_no_invalid_token(path: Path) -> None:
    tokens = tokenize(path.read_text(encoding="utf-8"))
    bad = [(t, s) for t, s in tokens if s == "?" or s.startswith("invalid")]
    assert not bad, bad[:10]
    covered = "".join(t for t, _ in tokens)
    assert len(covered.replace(" ", "")) > 100


def test_invalid_scope_catches_stray_characters() -> None:
    """The check above can fail: a character the language does not have is `invalid`."""
    assert ("$", "invalid.illegal.mms") in tokenize("var a: bool = $")
    assert ("#", "invalid.illegal.mms") in tokenize("x # y")


def test_sample_scopes() -> None:
    tokens = tokenize('process writer {\nw1:  down_write(mmap_lock) // take it\n'
                      '     assert x != 0, "why \\" here"\n}\n/* a\n b */ var a: 0..3')
    assert ("writer", "entity.name.function.mms") in tokens
    assert ("w1", "entity.name.label.mms") in tokens
    assert ("down_write", "support.function.lock.mms") in tokens
    assert ("// take it", "comment.line.double-slash.mms") in tokens
    assert ("\\\"", "constant.character.escape.mms") in tokens
    assert (" b ", "comment.block.mms") in tokens
    assert ("..", "keyword.operator.mms") in tokens


KEYWORDISH = ("keyword.", "storage.", "support.", "constant.language.")


@pytest.mark.parametrize("word", sorted(KEYWORDS))
def test_every_reserved_word_is_highlighted(word: str) -> None:
    tokens = tokenize(f"{word} x")
    scope = dict(tokens).get(word, "")
    assert scope.startswith(KEYWORDISH), (word, tokens)


def test_every_lock_operation_is_highlighted() -> None:
    for op in OPS:
        if op.startswith("__"):
            continue
        assert (op, "support.function.lock.mms") in tokenize(f"{op}(l)"), op


def test_vim_syntax_lists_the_reserved_words_and_lock_operations() -> None:
    text = (ROOT / "editors" / "vim" / "syntax" / "mms.vim").read_text("utf-8")
    listed = {w for line in text.splitlines() if line.startswith("syn keyword")
              for w in line.split()[3:]}
    missing = (set(KEYWORDS) | {op for op in OPS if not op.startswith("__")}) - listed
    assert not missing, sorted(missing)
    ftdetect = (ROOT / "editors" / "vim" / "ftdetect" / "mms.vim").read_text("utf-8")
    assert "*.mms" in ftdetect and "set filetype=mms" in ftdetect


def test_vscode_manifest_points_at_the_grammar() -> None:
    pkg = json.loads((VSCODE / "package.json").read_text("utf-8"))
    grammar = pkg["contributes"]["grammars"][0]
    assert grammar["scopeName"] == GRAMMAR["scopeName"]
    assert (VSCODE / grammar["path"]).is_file()
    lang = pkg["contributes"]["languages"][0]
    assert lang["extensions"] == [".mms"]
    json.loads((VSCODE / lang["configuration"]).read_text("utf-8"))


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_vim_detects_and_highlights_a_spec(tmp_path: Path) -> None:
    """In a real Vim: *.mms is mmspec (Vim alone guesses MMIX), and the groups apply."""
    spec = ROOT / "specs" / "fput" / "fput_sync_under_mmap_sem.mms"
    lines = spec.read_text("utf-8").split("\n")
    probes = {"spec ": "mmsDeclaration", "rwsem ": "mmsLockKind", "c_put:": "mmsLabel",
              "down_read(": "mmsLockOp", "// ": "mmsComment"}
    where = {}
    for word in probes:  # the first line holding the probe, at the probe
        n = next(i for i, line in enumerate(lines) if word in line)
        where[word] = (n + 1, lines[n].index(word) + 1)
    out = tmp_path / "out.txt"
    calls = ", ".join(f"synIDattr(synID({ln},{col},1),'name')" for ln, col in where.values())
    proc = subprocess.run(
        ["vim", "-u", "NONE", "-N", "-es", "-c", f"set rtp^={ROOT / 'editors' / 'vim'}",
         "-c", "filetype on", "-c", "syntax on", "-c", f"edit {spec}",
         "-c", f"call writefile([&filetype, {calls}], '{out}')", "-c", "qa!"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text("utf-8").split("\n")[:-1] == ["mms", *probes.values()]
