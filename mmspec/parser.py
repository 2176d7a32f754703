"""Text to AST: the LALR parser (mmspec/lalr.py over the shipped tables, else lark), the
Transformer to `mmspec.syntax` (mmspec/to_ast.py), and the one place where parse errors
become diagnostics.

Bad input of any kind (binary junk, an unterminated comment, 10,000 nested parentheses, a
literal with a thousand digits) must come back as a `SpecError` with a code and a position,
never as a traceback. Deep nesting is rejected before the (recursive) later phases see it:
the parse tree's depth is measured iteratively and capped at `MAX_DEPTH`.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from mmspec import syntax as S
from mmspec.lalr import Driver, load_shipped
from mmspec.parse_tree import (Meta, Token, Tree, UnexpectedCharacters, UnexpectedInput,
                               UnexpectedToken, VisitError, from_lark)
from mmspec.confine import MAX_BYTES, Confinement, ReadRefused, read_regular_file
from mmspec.diagnostics import Diagnostic, SpecError
from mmspec.ir import Span
from mmspec.lockkinds import find_lock_kind, lock_kinds
from mmspec.operators import by_rule
from mmspec.to_ast import KEYWORDS, MAX_INT, _Fail, _meta_span, _tok_span, _ToAst, unknown_kind

__all__ = ["KEYWORDS", "MAX_DEPTH", "MAX_INT", "REBALANCE_AT", "parse_file", "parse_text",
           "read_source"]

MAX_DEPTH = 200  # parse-tree depth; later phases recurse over the tree


@functools.lru_cache(maxsize=1)
def _driver() -> Driver | None:
    """The parser of the shipped LALR tables (mmspec/lalr.py), which never imports lark;
    None when they do not fit grammar.lark (then lark parses, `_lark_parse`)."""
    return load_shipped()


@functools.lru_cache(maxsize=1)
def _lark() -> Any:
    """lark's LALR parser; its tables are built once per grammar and lark version
    (mmspec/parse_tables.py), not on every run."""
    from mmspec.parse_tables import load_parser
    return load_parser()


def _lark_parse(text: str) -> Tree:
    """The fallback: lark parses, its tree and errors are converted to mmspec.parse_tree's."""
    from lark.exceptions import UnexpectedCharacters as LarkChars
    from lark.exceptions import UnexpectedToken as LarkToken
    try:
        return from_lark(_lark().parse(text))
    except LarkToken as e:
        t = e.token
        raise UnexpectedToken(Token(t.type, str(t), t.start_pos, t.line, t.column,
                                    t.end_line, t.end_column, t.end_pos),
                              set(e.expected)) from None
    except LarkChars as e:
        raise UnexpectedCharacters(e.pos_in_stream, e.line, e.column, set(e.allowed)) \
            from None


def parse_tree(text: str) -> Tree:
    """The parse tree of `text` (lark's shape), from the shipped tables when they fit."""
    driver = _driver()
    return driver.parse(text) if driver is not None else _lark_parse(text)


def _terminal_literal(name: str) -> str | None:
    """The literal a terminal stands for, None for a regexp; KeyError if no terminal."""
    driver = _driver()
    if driver is not None:
        t = driver.terminal(name)
        return t.value if t.kind == "str" else None
    pattern = _lark().get_terminal(name).pattern
    return pattern.value if pattern.type == "str" else None


# --------------------------------------------------------------------------- reading files


def read_source(path: str, span: Span | None = None, code: str = "MMS100",
                confinement: Confinement | None = None, shown: str | None = None) -> str:
    """A file's text, or a SpecError (missing, not a regular file, outside `confinement`,
    over the size cap, not UTF-8). Reading is `confine.read_regular_file`: it never blocks
    and never reads more than the cap. `shown` is the name used in messages."""
    where = span or Span(path, 0, 0, 0, 0)
    name = shown if shown is not None else path
    try:
        data = read_regular_file(path, MAX_BYTES, confinement)
    except ReadRefused as e:
        raise SpecError([Diagnostic(code, f"cannot read {_quoted(name)}: {e}", where)]) \
            from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        col = e.start - start + 1
        end = data.find(b"\n", e.start)
        # Only the offending line is kept for the caret display; nothing else is echoed.
        own_line = data[start: end if end >= 0 else len(data)].decode("utf-8", "replace")
        raise SpecError([Diagnostic("MMS101", f"{_quoted(name)} is not valid UTF-8 (byte "
                                    f"0x{data[e.start]:02x})", Span(path, line, col, line,
                                                                    col + 1))],
                        {path: "\n" * (line - 1) + own_line}) from None


def _quoted(path: str) -> str:
    """A path for a message: control characters (a NUL, an escape) shown escaped."""
    return repr(path) if any(not ch.isprintable() for ch in path) else f"'{path}'"


# --------------------------------------------------------------------------- pre-scan


def _prescan(text: str, file: str) -> list[tuple[str, int, int]]:
    """Cheap checks lark reports badly: unterminated comments/strings, runaway nesting."""
    i, n = 0, len(text)
    line, col = 1, 1
    stack: list[tuple[str, int, int]] = []
    pairs = {")": "(", "]": "[", "}": "{"}

    def adv(k: int) -> None:
        nonlocal i, line, col
        for _ in range(k):
            if text[i] == "\n":
                line += 1
                col = 1
            else:
                col += 1
            i += 1

    while i < n:
        ch = text[i]
        if ch == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            adv((j if j >= 0 else n) - i)
        elif ch == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise SpecError([Diagnostic("MMS108", "unterminated block comment",
                                            Span(file, line, col, line, col + 2),
                                            expected="'*/' before the end of the file")])
            adv(j + 2 - i)
        elif ch == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            if j >= n or text[j] != '"':
                raise SpecError([Diagnostic("MMS109", "unterminated string",
                                            Span(file, line, col, line, col + 1),
                                            expected="a closing '\"' on the same line")])
            adv(j + 1 - i)
        else:
            if ch in "([{":
                stack.append((ch, line, col))
                if len(stack) > MAX_DEPTH // 4:
                    raise SpecError([Diagnostic(
                        "MMS106", f"nesting too deep (more than {MAX_DEPTH // 4} levels of "
                        "brackets)", Span(file, line, col, line, col + 1))])
            elif ch in ")]}" and stack and stack[-1][0] == pairs[ch]:
                stack.pop()
            adv(1)
    return stack



# --------------------------------------------------------------------------- errors


_TERMINAL_NAMES = {"NAME": "a name", "INT": "an integer", "STRING": "a string",
                   "LABEL": "a label",
                   "$END": "end of file"}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        literal = _terminal_literal(name)
    except KeyError:
        return name
    if literal is not None:
        if literal == "'":
            return "a primed variable, as in y' = ..."
        return f"'{literal}'"
    return name.lower()


def _expected(names: set[str] | frozenset[str] | None) -> str | None:
    if not names:
        return None
    shown = sorted({_describe_terminal(n) for n in names})
    if len(shown) > 12:
        shown = shown[:12] + [f"... ({len(shown) - 12} more)"]
    return ", ".join(shown)


def _eof_span(text: str, file: str) -> Span:
    """Just after the last token (lark reports line -1 for the end of input)."""
    body = _strip_trailing_comments(text).rstrip()
    lines = body.split("\n")
    line = len(lines)
    col = len(lines[-1]) + 1
    return Span(file, line, col, line, col + 1)


def _strip_trailing_comments(text: str) -> str:
    """The text up to its last token: drops trailing whitespace and // comments."""
    lines = text.rstrip().split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("//")):
        lines.pop()
    return "\n".join(lines)


def _unclosed(text: str) -> tuple[str, int, int] | None:
    """The innermost bracket left open at the end of the text (for EOF errors)."""
    try:
        stack = _prescan(text, "")
    except SpecError:
        return None
    return stack[-1] if stack else None


def _show_char(ch: str) -> str:
    if ch.isprintable() and ch not in "'\\":
        return f"'{ch}'"
    return repr(ch)


# TLA+ habits: the operator as TLA+ writes it, what it is, and how mmspec writes it.
_TLA_OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("/\\", "conjunction", "&&"), ("\\/", "disjunction", "||"),
    ("#", "inequality", "!="), ("\\in", "membership", "in"),
    ("\\A", "universal quantifier", "forall"), ("\\E", "existential quantifier", "exists"),
    ("\\cup", "union", "union"), ("\\union", "union", "union"),
    ("\\cap", "intersection", "inter"), ("\\intersect", "intersection", "inter"),
    ("\\subseteq", "subset", "subseteq"))


def _tla_operator_hint(e: UnexpectedCharacters, text: str, file: str) -> Diagnostic | None:
    """'unexpected character' where a TLA+ operator stands: name it and say how mmspec writes
    it. `/\\` fails at its backslash (the slash alone is division), so look one back too."""
    pos = e.pos_in_stream
    if pos is None:
        return None
    for start in (pos, pos - 1):
        if start < 0:
            continue
        for op, what, ours in sorted(_TLA_OPERATORS, key=lambda t: -len(t[0])):
            end = start + len(op)
            if not text.startswith(op, start) or end <= pos:
                continue
            if op[-1].isalpha() and end < len(text) and (text[end].isalnum() or text[end] == "_"):
                continue  # \\inx is not \\in
            col = e.column - (pos - start)
            span = Span(file, e.line, col, e.line, col + len(op))
            return Diagnostic("MMS102", f"unexpected '{op}' (TLA+ {what})", span,
                              expected=_expected(e.allowed),
                              notes=(f"did you mean '{ours}'? mmspec writes TLA+'s {op} "
                                     f"as {ours}",))
    return None


def _eq_hint(e: UnexpectedToken) -> tuple[str, ...]:
    """`=` where a comparison may stand (a guard, an await, an invariant): TLA+ and maths
    compare with `=`, mmspec with `==`; `=` where a statement assigns (C's habit); and `:=`
    in an action, which writes next values as `y' = e`."""
    expected = {_describe_terminal(n) for n in e.expected or ()}
    if str(e.token) == ":=" and "a primed variable, as in y' = ..." in expected:
        return ("an action gives a variable its next value with y' = e; ':=' is a statement "
                "of a process or proc",)
    if str(e.token) != "=":
        return ()
    if "'=='" in expected:
        return ("did you mean '=='? '=' only gives a declaration its value; comparison is "
                "'==' and assignment ':='",)
    if "':='" in expected:
        return ("did you mean ':='? a statement assigns with ':=' ('=' only gives a "
                "declaration its value)",)
    return ()


_WORD = r"([A-Za-z_][A-Za-z0-9_]*)"
_KIND_THEN_EOF = re.compile(_WORD + r"\s*\Z")  # `foo` <end>: the lock name is missing
_KIND_NAME = re.compile(_WORD + r"[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\Z")  # `foo bar` <junk>
_SKIPPED = re.compile(r'//[^\n]*|/\*.*?\*/|"[^"\n]*"', re.S)


def _unknown_lock_kind(e: UnexpectedInput, text: str, file: str) -> Diagnostic | None:
    """A declaration starting with a word that is neither a keyword nor a lock kind parses
    as a lock declaration (a registered kind is a NAME) until the next token fails: point
    at that word instead (`invarant i: x`, a stray `foo`), as for `mutx m`."""
    tok = e.token if isinstance(e, UnexpectedToken) else None
    expected = getattr(e, "expected", None) or getattr(e, "allowed", None) or set()
    at_end = not isinstance(e, UnexpectedCharacters) and (tok is None or tok.type == "$END")
    pos = len(text) if at_end else (e.pos_in_stream or 0)
    prefix = text[:pos]
    pattern = _KIND_THEN_EOF if at_end and set(expected) == {"NAME"} else (
        _KIND_NAME if {"NAME", "LSQB"} <= set(expected) else None)
    m = pattern.search(prefix) if pattern is not None else None
    if m is None or m.group(1) in KEYWORDS or find_lock_kind(m.group(1)) is not None:
        return None
    outside = _SKIPPED.sub("", prefix[:m.start(1)])
    if outside.count("{") != outside.count("}") or outside.count("(") != outside.count(")"):
        return None  # inside a body: not a declaration
    line = prefix.count("\n", 0, m.start(1)) + 1
    col = m.start(1) - (prefix.rfind("\n", 0, m.start(1)) + 1) + 1
    return unknown_kind(m.group(1), Span(file, line, col, line, col + len(m.group(1))))


@functools.lru_cache(maxsize=1)
def _declaration_starts() -> frozenset[str]:
    """The terminals a declaration starts with (the parser's first state), without NAME."""
    driver = _driver()
    if driver is not None:
        accepts = set(driver.states[driver.start])
    else:
        table = _lark().parser.parser.parser.parse_table
        accepts = set(table.states[table.start_states["start"]])
    return frozenset(n for n in accepts if n.isupper() and n not in ("NAME", "$END"))


def _uncollapse(names: set[str] | None) -> set[str] | None:
    """Where declarations start a NAME is also expected (a registered lock kind's word), and
    the lexer there reports NAME for every keyword it folds in (as lark does): list the
    declaration keywords and lock kinds again, as the shape of the error says."""
    if not names or "NAME" not in names:
        return names
    starts = _declaration_starts()
    if "SEMICOLON" not in names or not names - {"NAME"} <= starts:
        return names  # not between declarations (there ';' is expected too)
    words = {f"'{k.name}'" for k in lock_kinds() if k.name not in KEYWORDS}
    return (names | starts | words) - {"NAME"}


def _translate(e: UnexpectedInput, text: str, file: str) -> Diagnostic:
    """The one boundary where parse errors (mmspec.parse_tree's) become diagnostics."""
    misread = _unknown_lock_kind(e, text, file)
    if misread is not None:
        return misread
    if isinstance(e, UnexpectedCharacters):
        e.allowed = _uncollapse(e.allowed) or e.allowed
    elif isinstance(e, UnexpectedToken):
        e.expected = _uncollapse(e.expected) or e.expected
    if isinstance(e, UnexpectedCharacters):
        hint = _tla_operator_hint(e, text, file)
        if hint is not None:
            return hint
        pos = e.pos_in_stream
        ch = text[pos] if pos is not None and 0 <= pos < len(text) else ""
        span = Span(file, e.line, e.column, e.line, e.column + 1)
        return Diagnostic("MMS102", f"unexpected character {_show_char(ch)}", span,
                          expected=_expected(e.allowed))
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        tok = e.token
        span = _tok_span(file, tok)
        shown = str(tok)
        if len(shown) > 30:
            shown = shown[:27] + "..."
        kind = "keyword" if str(tok) in KEYWORDS else (
            "name" if tok.type == "NAME" else "integer" if tok.type == "INT" else "token")
        return Diagnostic("MMS103", f"unexpected {kind} '{shown}'", span,
                          expected=_expected(e.expected), notes=_eq_hint(e))
    expected = getattr(e, "expected", None)
    open_ = _unclosed(text)
    notes = (f"'{open_[0]}' opened at {open_[1]}:{open_[2]} is not closed",) if open_ else ()
    return Diagnostic("MMS104", "unexpected end of file", _eof_span(text, file),
                      expected=_expected(expected), notes=notes)


# Associative operators: a long flat chain `a + b + ... + z` is rebuilt as a balanced tree so
# its depth is log2 of its length. Same operands, same left-to-right order, same value (the
# engines compute with unbounded integers; `&&`/`||` short-circuit identically), so "nesting
# too deep" is reported only for real nesting. Short chains keep their left-nested shape.
# LIMITATION: chains of `-`, `/`, `%` and comparisons are not associative and still nest.
_ASSOCIATIVE = frozenset(r for r, o in by_rule().items() if o.associative)
REBALANCE_AT = 32  # operands


def _chain_operands(node: Tree) -> list[Any]:
    """The operands of the left-nested chain of `node.data` rooted at `node`, in order."""
    rights: list[Any] = []
    cur: Any = node
    while isinstance(cur, Tree) and cur.data == node.data and len(cur.children) == 2:
        rights.append(cur.children[1])
        cur = cur.children[0]
    return [cur, *reversed(rights)]


def _spanning(first: Any, last: Any) -> Meta:
    m = Meta()
    a, b = first.meta, last.meta
    if not getattr(a, "empty", True) and not getattr(b, "empty", True):
        m.line, m.column, m.start_pos = a.line, a.column, a.start_pos
        m.end_line, m.end_column, m.end_pos = b.end_line, b.end_column, b.end_pos
        m.empty = False
    return m


def _balanced(data: str, ops: list[Any]) -> Any:
    if len(ops) == 1:
        return ops[0]
    mid = len(ops) // 2
    return Tree(data, [_balanced(data, ops[:mid]), _balanced(data, ops[mid:])],
                meta=_spanning(ops[0], ops[-1]))


def _rebalance_chains(tree: Tree) -> None:
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data in _ASSOCIATIVE:
            ops = _chain_operands(node)
            if len(ops) >= REBALANCE_AT and all(isinstance(o, Tree) for o in ops):
                mid = len(ops) // 2
                node.children = [_balanced(node.data, ops[:mid]),
                                 _balanced(node.data, ops[mid:])]
                stack.extend(ops)
                continue
        stack.extend(node.children)


# the left-associative infix operators (one nesting level per operator in a chain), by rule
_CHAIN_OPS = {r: o.symbol for r, o in by_rule().items()
              if o.syntax == "infix" and o.assoc == "left"}


def _depth_check(tree: Tree, file: str) -> None:
    """Iteratively measure the tree's depth; reject trees later phases could not recurse.

    The error is located where the limit is crossed, or, when that is inside a long chain
    of one operator (`a - b - c - ...`, which nests one level per operator), at the chain."""
    stack: list[tuple[Any, int, Any, Any]] = [(tree, 1, tree, None)]
    while stack:
        # chain: the outermost node of the operator chain `node` belongs to (else node);
        # outer: the chain of node's parent, when node is one of its operands
        node, d, chain, outer = stack.pop()
        if not isinstance(node, Tree):
            continue
        if d > MAX_DEPTH:
            culprit = chain if chain is not node else outer
            if culprit is not None and culprit.data in _CHAIN_OPS:
                raise SpecError([Diagnostic(
                    "MMS106", f"nesting too deep (more than {MAX_DEPTH} levels): each "
                    f"'{_CHAIN_OPS[culprit.data]}' in this chain nests one level deeper",
                    _meta_span(file, culprit.meta),
                    expected="a shorter chain (split it with defs)")])
            raise SpecError([Diagnostic("MMS106", f"nesting too deep (more than {MAX_DEPTH} "
                                        "levels)", _meta_span(file, node.meta),
                                        expected="a flatter expression or statement")])
        in_chain = chain is not node or any(isinstance(c, Tree) and c.data == node.data
                                            for c in node.children[:1])
        for i, c in enumerate(node.children):
            same = i == 0 and isinstance(c, Tree) and c.data == node.data
            stack.append((c, d + 1, chain if same else c, chain if in_chain else None))


def parse_text(text: str, file: str) -> S.SpecFile:
    """Parse one file's text. Raises SpecError with a single parse diagnostic (carrying the
    text, so the caret display needs no second read of the file)."""
    try:
        return _parse_text(text, file)
    except SpecError as e:
        raise e.with_sources([(file, text)]) from None


def _parse_text(text: str, file: str) -> S.SpecFile:
    _prescan(text, file)
    try:
        tree = parse_tree(text)
    except UnexpectedInput as e:
        raise SpecError([_translate(e, text, file)]) from None
    _rebalance_chains(tree)
    _depth_check(tree, file)
    for node in tree.iter_subtrees():
        if node.data == "assign":
            n = sum(1 for c in node.children if isinstance(c, Tree) and c.data == "lvalue")
            node.children.insert(0, Token("NLV", str(n)))
    try:
        return _ToAst(file, text).transform(tree)  # type: ignore[no-any-return]
    except VisitError as e:
        if isinstance(e.orig_exc, _Fail):
            raise SpecError([e.orig_exc.diag]) from None
        if isinstance(e.orig_exc, SpecError):
            raise e.orig_exc from None
        raise
    except RecursionError:  # pragma: no cover - the depth check should prevent this
        raise SpecError([Diagnostic("MMS106", "nesting too deep", Span(file, 1, 1, 1, 2))]) \
            from None


def parse_file(path: str, confinement: Confinement | None = None) -> S.SpecFile:
    return parse_text(read_source(path, confinement=confinement), path)
