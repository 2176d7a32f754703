"""An LALR(1) driver and contextual lexer over the shipped tables (mmspec/grammar_tables.json),
so that `mmspec parse` never imports lark (its import was the largest start-up cost).

lark builds the tables (mmspec/parse_tables.py) and stays the reference and the fallback;
this module re-implements, for the options mmspec uses (LALR, contextual lexer,
propagate_positions, maybe_placeholders), exactly what lark 1.x does with them:
- the lexer of each parser state tries that state's terminals (plus the ignored ones),
  ordered by priority, longest pattern, longest literal, name; a literal that a regexp
  terminal also matches (a keyword and NAME) is found by that regexp and renamed;
- when no terminal of the state matches, all terminals are tried, to report the token found
  as unexpected (else the unexpected character, with the state's terminals as allowed);
- the tree: `_rule`s inlined, `?rule`s with one child replaced by it, anonymous tokens
  dropped, None for each absent `[optional]`, and each node's span from its children.
tests/test_lalr_driver.py checks trees and errors against lark's parser.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from mmspec.parse_tree import Meta, Token, Tree, UnexpectedCharacters, UnexpectedToken

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass


@dataclass(frozen=True)
class Terminal:
    name: str
    kind: str  # "str" (a literal) or "re"
    value: str  # the literal, or the regexp
    flags: tuple[str, ...]
    priority: int
    max_width: int

    def to_regexp(self) -> str:
        value = re.escape(self.value) if self.kind == "str" else self.value
        for f in self.flags:
            value = f"(?{f}:{value})"
        return value


@dataclass(frozen=True)
class RuleShape:
    """How one rule's reduction builds its node (lark's ParseTreeBuilder, for LALR)."""
    origin: str  # the nonterminal reduced to (goto)
    name: str  # the node's `data`
    size: int  # symbols popped
    expand1: bool  # ?rule: a single child stands for the node
    include: tuple[tuple[int, bool, int], ...] | None  # (index, inline it, Nones before)
    nones_after: int


def _has_newline(r: str) -> bool:
    return "\n" in r or "\\n" in r or "\\s" in r or "[^" in r or ("(?s" in r and "." in r)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(t: Terminal) -> re.Pattern[str]:
    """One terminal's regexp, compiled once per process (not once per parser state)."""
    pat = _PATTERNS.get(t.name)
    if pat is None:
        pat = _PATTERNS[t.name] = re.compile(t.to_regexp())
    return pat


class _Scanner:
    """Finds what lark's scanner finds (one alternation `(?P<T1>r1)|(?P<T2>r2)|...` of the
    terminals in their order, the first alternative that matches wins) without compiling
    that alternation for each parser state: each regexp terminal is tried on its own, in
    order, and each run of literals through a table keyed by first character (literals have
    no flags: `from_tables` checks), in order."""

    def __init__(self, terminals: list[Terminal]) -> None:
        self.allowed_types = {t.name for t in terminals}
        self.steps: list[tuple[re.Pattern[str] | None, dict[str, list[tuple[str, str]]], str]] = []
        run: dict[str, list[tuple[str, str]]] | None = None
        for t in terminals:
            if t.kind == "str":
                if run is None:
                    run = {}
                    self.steps.append((None, run, ""))
                run.setdefault(t.value[0], []).append((t.value, t.name))
            else:
                run = None
                self.steps.append((_pattern(t), {}, t.name))
        self.literals = {t.value: t.name for t in terminals if t.kind == "str"}

    def match(self, text: str, pos: int) -> tuple[str, str] | None:
        for pat, literals, name in self.steps:
            if pat is not None:
                m = pat.match(text, pos)
                if m:
                    return m.group(0), name
            else:
                for value, lit_name in literals.get(text[pos], ()):
                    if text.startswith(value, pos):
                        return value, lit_name
        return None

    def fullmatch(self, text: str) -> str | None:
        """The literal terminal that is exactly `text` (lark's UnlessCallback)."""
        return self.literals.get(text)


class _LexState:
    __slots__ = ("text", "pos", "line", "column", "line_start")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos, self.line, self.column, self.line_start = 0, 1, 1, 0

    def feed(self, value: str, test_newline: bool) -> None:
        if test_newline:
            newlines = value.count("\n")
            if newlines:
                self.line += newlines
                self.line_start = self.pos + value.rindex("\n") + 1
        self.pos += len(value)
        self.column = self.pos - self.line_start + 1


_CAPTURES: dict[tuple[str, str], bool] = {}


def _captures(retok: Terminal, strtok: Terminal) -> bool:
    """Does the regexp terminal match the literal whole (a keyword and NAME)?"""
    key = (retok.name, strtok.name)
    got = _CAPTURES.get(key)
    if got is None:
        m = _pattern(retok).match(strtok.value)
        got = _CAPTURES[key] = m is not None and m.group(0) == strtok.value
    return got


class _BasicLexer:
    """One state's lexer (lark's BasicLexer, its scanner built on first use)."""

    def __init__(self, terminals: list[Terminal], ignore: frozenset[str]) -> None:
        self.newline_types = frozenset(t.name for t in terminals if _has_newline(t.to_regexp()))
        self.ignore_types = ignore
        self.terminals = sorted(terminals, key=lambda t: (-t.priority, -t.max_width,
                                                          -len(t.value), t.name))
        self._scanner: _Scanner | None = None
        self.callback: dict[str, _Scanner] = {}

    @property
    def scanner(self) -> _Scanner:
        if self._scanner is None:
            self._scanner = self._build_scanner()
        return self._scanner

    def _build_scanner(self) -> _Scanner:
        """Literals a regexp terminal also matches whole are left to that regexp, which
        renames its token when the text is exactly the literal (lark's _create_unless)."""
        strs = [t for t in self.terminals if t.kind == "str"]
        embedded: set[str] = set()
        for retok in (t for t in self.terminals if t.kind == "re"):
            unless = []
            for strtok in strs:
                if strtok.priority != retok.priority:
                    continue
                if _captures(retok, strtok):
                    unless.append(strtok)
                    if set(strtok.flags) <= set(retok.flags):
                        embedded.add(strtok.name)
            if unless:
                self.callback[retok.name] = _Scanner(unless)
        return _Scanner([t for t in self.terminals if t.name not in embedded])

    def next_token(self, st: _LexState) -> Token | None:
        """The next token not ignored, or None at the end of the text."""
        text, end = st.text, len(st.text)
        while st.pos < end:
            res = self.scanner.match(text, st.pos)
            if not res:
                allowed = self.scanner.allowed_types - self.ignore_types
                raise UnexpectedCharacters(st.pos, st.line, st.column,
                                           allowed or {"<END-OF-FILE>"})
            value, type_ = res
            ignored = type_ in self.ignore_types
            t = None
            if not ignored or type_ in self.callback:
                t = Token(type_, value, st.pos, st.line, st.column)
            st.feed(value, type_ in self.newline_types)
            if t is not None:
                t.end_line, t.end_column, t.end_pos = st.line, st.column, st.pos
                unless = self.callback.get(t.type)
                if unless is not None:
                    renamed = unless.fullmatch(str(t))
                    if renamed is not None:
                        t.type = renamed
                if not ignored:
                    return t
        return None


class Driver:
    """The parser of the shipped tables: `parse(text)` gives lark's tree or lark's error."""

    def __init__(self, terminals: list[Terminal], ignore: list[str],
                 states: dict[int, dict[str, tuple[bool, int]]], rules: dict[int, RuleShape],
                 start: int, end: int) -> None:
        self.terminals = {t.name: t for t in terminals}
        self.ignore = frozenset(ignore)
        self.states = states
        self.rules = rules
        self.start, self.end = start, end
        self._lexers: dict[int, _BasicLexer] = {}
        self._by_accepts: dict[frozenset[str], _BasicLexer] = {}
        self._root: _BasicLexer | None = None

    def terminal(self, name: str) -> Terminal:
        return self.terminals[name]  # KeyError for a name that is not a terminal

    def _lexer(self, state: int) -> _BasicLexer:
        lexer = self._lexers.get(state)
        if lexer is None:
            accepts = frozenset(self.states[state])
            lexer = self._by_accepts.get(accepts)
            if lexer is None:
                wanted = set(accepts) | self.ignore
                lexer = _BasicLexer([self.terminals[n] for n in wanted if n in self.terminals],
                                    self.ignore)
                self._by_accepts[accepts] = lexer
            self._lexers[state] = lexer
        return lexer

    def _tokens(self, st: _LexState, stack: list[int]) -> Iterator[Token]:
        while True:
            try:
                tok = self._lexer(stack[-1]).next_token(st)
            except UnexpectedCharacters as e:
                # Is it a terminal of another context? Then report that token.
                if self._root is None:
                    self._root = _BasicLexer(list(self.terminals.values()), self.ignore)
                try:
                    other = self._root.next_token(st)
                except UnexpectedCharacters:
                    raise e from None
                assert other is not None
                raise UnexpectedToken(other, e.allowed) from None
            if tok is None:
                return
            yield tok

    def parse(self, text: str) -> Any:
        stack = [self.start]
        values: list[Any] = []
        last: Token | None = None
        for last in self._tokens(_LexState(text), stack):
            self._feed(last, stack, values, False)
        end = (Token("$END", "", last.start_pos, last.line, last.column, last.end_line,
                     last.end_column, last.end_pos) if last is not None
               else Token("$END", "", 0, 1, 1))
        return self._feed(end, stack, values, True)

    def _feed(self, token: Token, stack: list[int], values: list[Any], is_end: bool) -> Any:
        states, rules = self.states, self.rules
        while True:
            actions = states[stack[-1]]
            try:
                is_reduce, arg = actions[token.type]
            except KeyError:
                raise UnexpectedToken(token, {s for s in actions if s.isupper()}) from None
            if not is_reduce:
                stack.append(arg)
                values.append(token)
                return None
            rule = rules[arg]
            size = rule.size
            if size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
            else:
                children = []
            stack.append(states[stack[-1]][rule.origin][1])
            values.append(_build(rule, children))
            if is_end and stack[-1] == self.end:
                return values[-1]


def _build(rule: RuleShape, children: list[Any]) -> Any:
    """The node of one reduction (lark's ChildFilterLALR, ExpandSingleChild and
    PropagatePositions, in that order; the span is that of all the symbols reduced, the
    dropped tokens and inlined rules included)."""
    raw = children
    if rule.include is not None:
        filtered: list[Any] = []
        for i, inline, nones in rule.include:
            if nones:
                filtered += [None] * nones
            if inline:
                if filtered:
                    filtered += children[i].children
                else:
                    filtered = children[i].children
            else:
                filtered.append(children[i])
        if rule.nones_after:
            filtered += [None] * rule.nones_after
        children = filtered
    res = children[0] if rule.expand1 and len(children) == 1 else Tree(rule.name, children)
    if isinstance(res, Tree):
        _propagate(res.meta, raw)
    return res


def _first_meta(children: Any) -> Any:
    for c in children:
        if isinstance(c, Tree):
            if not c.meta.empty:
                return c.meta
        elif isinstance(c, Token):
            return c
    return None


def _propagate(meta: Meta, children: list[Any]) -> None:
    first = _first_meta(children)
    d = meta.__dict__
    if first is not None:
        fd = first.__dict__
        line = fd.get("container_line", first.line)
        column = fd.get("container_column", first.column)
        start = fd.get("container_start_pos", first.start_pos)
        if "line" not in d:
            meta.line, meta.column, meta.start_pos, meta.empty = line, column, start, False
        d["container_line"], d["container_column"], d["container_start_pos"] = \
            line, column, start
    last = _first_meta(reversed(children))
    if last is not None:
        ld = last.__dict__
        line = ld.get("container_end_line", last.end_line)
        column = ld.get("container_end_column", last.end_column)
        end = ld.get("container_end_pos", last.end_pos)
        if "end_line" not in d:
            meta.end_line, meta.end_column, meta.end_pos, meta.empty = line, column, end, False
        d["container_end_line"], d["container_end_column"], d["container_end_pos"] = \
            line, column, end


# --------------------------------------------------------------------------- loading


def _terminal(d: dict[str, Any]) -> Terminal:
    p = d["pattern"]
    kind = "str" if p["__type__"] == "PatternStr" else "re"
    width = len(p["value"]) if kind == "str" else p["_width"][1]
    return Terminal(d["name"], kind, p["value"], tuple(p["flags"]), d["priority"], width)


def _shape(d: dict[str, Any]) -> RuleShape:
    """lark's maybe_create_child_filter for one rule (maybe_placeholders on, not ambiguous)."""
    expansion = d["expansion"]
    opts = d["options"]
    empty = opts["empty_indices"]
    if empty:
        s = "".join(str(int(b)) for b in empty)
        empty_before = [len(ones) for ones in s.split("0")]
    else:
        empty_before = [0] * (len(expansion) + 1)
    include: list[tuple[int, bool, int]] = []
    nones = 0
    for i, sym in enumerate(expansion):
        nones += empty_before[i]
        term = sym["__type__"] == "Terminal"
        if opts["keep_all_tokens"] or not (term and sym["filter_out"]):
            include.append((i, not term and sym["name"].startswith("_"), nones))
            nones = 0
    nones += empty_before[len(expansion)]
    filtering = bool(empty) or len(include) < len(expansion) or any(x for _, x, _ in include)
    origin = d["origin"]["name"]
    return RuleShape(origin, d["alias"] or opts["template_source"] or origin, len(expansion),
                     bool(opts["expand1"]) and not d["alias"],
                     tuple(include) if filtering else None, nones if filtering else 0)


NEEDS = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True,
         "maybe_placeholders": True, "keep_all_tokens": False, "postlex": None,
         "lexer_callbacks": {}, "regex": False, "use_bytes": False, "g_regex_flags": 0,
         "start": ["start"], "tree_class": None, "transformer": None}


def from_tables(doc: dict[str, Any]) -> Driver | None:
    """A Driver from the decoded JSON of mmspec/parse_tables.py (format 2), or None when the
    tables use an option or a layout this driver does not implement."""
    data, memo = doc["data"], doc["memo"]
    options = data["options"]
    if any(options.get(k) != v for k, v in NEEDS.items()):
        return None
    front = data["parser"]
    lexer_conf, table = front["lexer_conf"], front["parser"]
    if lexer_conf["g_regex_flags"] != 0 or "#packed" not in table["states"]:
        return None
    terminals = [_terminal(memo[t["@"]]) for t in lexer_conf["terminals"]]
    if any(t.flags and t.kind == "str" for t in terminals):
        return None  # _Scanner compares literals exactly
    tokens = table["tokens"]
    ids, rows = table["states"]["#packed"]
    return Driver(terminals, list(lexer_conf["ignore"]),
                  _States(dict(zip(ids, rows)), tokens), _Rules(memo),
                  table["start_states"]["start"], table["end_states"]["start"])


class _States(dict[int, dict[str, tuple[bool, int]]]):
    """The action table, each state's row unpacked when the parse first reaches it (a parse
    visits a fraction of them): token -> (reduce?, rule's memo id or the state shifted to)."""

    def __init__(self, rows: dict[int, list[list[int]]], tokens: dict[int, str]) -> None:
        super().__init__()
        self.rows, self.tokens = rows, tokens

    def __missing__(self, state: int) -> dict[str, tuple[bool, int]]:
        toks, acts = self.rows[state]
        tokens = self.tokens
        row = self[state] = {tokens[t]: (bool(a & 1), a >> 1) for t, a in zip(toks, acts)}
        return row


class _Rules(dict[int, RuleShape]):
    """The rules' tree shapes by memo id, each worked out when first reduced by."""

    def __init__(self, memo: dict[int, Any]) -> None:
        super().__init__()
        self.memo = memo

    def __missing__(self, rule: int) -> RuleShape:
        shape = self[rule] = _shape(self.memo[rule])
        return shape


HERE = Path(__file__).parent


def grammar_sha(grammar: str) -> str:
    """SHA-256 from CPython's own module (`_sha2`, before 3.12 `_sha256`) when it has one:
    `hashlib` loads OpenSSL, about 3 ms of every `mmspec parse`."""
    for name in ("_sha2", "_sha256", "hashlib"):
        try:
            sha256 = getattr(importlib.import_module(name), "sha256")
        except (ImportError, AttributeError):
            continue
        return str(sha256(grammar.encode("utf-8")).hexdigest())
    raise ImportError("no SHA-256 implementation")


def _decode(d: dict[str, Any]) -> Any:
    """JSON objects with integer keys, as mmspec/parse_tables.py stores them."""
    if "#k" in d:
        return dict(zip(d["#k"], d["#v"]))
    return d


def load_shipped() -> Driver | None:
    """The driver of mmspec/grammar_tables.json when they are for the current grammar.lark
    (their SHA-256 matches) and in a layout this driver reads; else None (then lark builds
    or loads the tables, mmspec/parse_tables.py). The lark version that built the tables
    does not matter here: the tables are an LALR automaton for the grammar, and the tree is
    shaped by this module."""
    try:
        grammar = (HERE / "grammar.lark").read_text(encoding="utf-8")
        doc = json.loads((HERE / "grammar_tables.json").read_text(encoding="utf-8"),
                         object_hook=_decode)
        if not isinstance(doc, dict) or doc.get("grammar_sha256") != grammar_sha(grammar):
            return None
        return from_tables(doc)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
