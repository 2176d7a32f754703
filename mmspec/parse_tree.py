"""The parse tree's own types (Token, Tree, Meta), the parse errors, and the non-recursive
Transformer that turns a tree into the AST (mmspec/to_ast.py).

They mirror lark's (lark.Token, lark.Tree, lark.tree.Meta, lark's UnexpectedCharacters and
UnexpectedToken, Transformer_NonRecursive with v_args(meta=True)) attribute for attribute, so
that parsing the shipped tables (mmspec/lalr.py) never imports the `lark` package, whose
import was the largest single cost of `mmspec parse`. lark stays the reference: its trees
and errors are converted to these (`from_lark`, mmspec/parser.py) when the tables must be
built, and tests/test_lalr_driver.py compares the two parsers on the library and bad input.
"""
from __future__ import annotations

from typing import Any, Iterator


class Token(str):
    """A terminal: its text (the str), its terminal name and where it stands."""

    type: str
    start_pos: int | None
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    end_pos: int | None

    def __new__(cls, type: str, value: str, start_pos: int | None = None,
                line: int | None = None, column: int | None = None,
                end_line: int | None = None, end_column: int | None = None,
                end_pos: int | None = None) -> Token:
        inst = super().__new__(cls, value)
        inst.type = type
        inst.start_pos, inst.line, inst.column = start_pos, line, column
        inst.end_line, inst.end_column, inst.end_pos = end_line, end_column, end_pos
        return inst

    @property
    def value(self) -> str:
        return str(self)

    def __reduce__(self) -> Any:
        return (Token, (self.type, str(self), self.start_pos, self.line, self.column,
                        self.end_line, self.end_column, self.end_pos))

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Meta:
    """A node's span; `empty` until positions are propagated from its children."""

    empty: bool
    line: int
    column: int
    start_pos: int
    end_line: int
    end_column: int
    end_pos: int

    def __init__(self) -> None:
        self.empty = True


class Tree:
    """A rule's node: its name (`data`), children (Trees, Tokens, None placeholders), span."""

    __slots__ = ("data", "children", "meta")

    def __init__(self, data: str, children: list[Any], meta: Meta | None = None) -> None:
        self.data = data
        self.children = children
        self.meta = meta if meta is not None else Meta()

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Tree) and self.data == other.data
                and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.data, tuple(self.children)))

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def iter_subtrees(self) -> Iterator[Tree]:
        """Every subtree, this one included (iteratively: trees may be deep)."""
        stack: list[Tree] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Tree))


# --------------------------------------------------------------------------- errors


class UnexpectedInput(Exception):
    """A parse error at `line`:`column` (`pos_in_stream` is the offset in the text)."""

    line: int
    column: int
    pos_in_stream: int | None


class UnexpectedCharacters(UnexpectedInput):
    """No terminal the parser's state accepts matches here; `allowed` are those it tried."""

    def __init__(self, pos: int | None, line: int, column: int, allowed: set[str]) -> None:
        super().__init__(f"unexpected character at {line}:{column}")
        self.pos_in_stream, self.line, self.column = pos, line, column
        self.allowed = allowed


class UnexpectedToken(UnexpectedInput):
    """A token the parser cannot take here; `expected` are the terminals it could."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected token {token.type} at {token.line}:{token.column}")
        self.token = token
        self.expected = expected
        self.line = token.line if token.line is not None else -1
        self.column = token.column if token.column is not None else -1
        self.pos_in_stream = token.start_pos


# --------------------------------------------------------------------------- transformer


class VisitError(Exception):
    """An exception raised by a Transformer method, with the node it was raised for."""

    def __init__(self, rule: str, orig_exc: Exception) -> None:
        super().__init__(f"Error trying to process rule {rule!r}: {orig_exc}")
        self.rule = rule
        self.orig_exc = orig_exc


class Transformer:
    """Bottom-up, without recursion: each Tree becomes `self.<data>(meta, children)` (children
    already transformed), or a copy of the Tree when there is no such method; Tokens are kept
    unless there is a method named for their terminal. Exceptions from methods arrive wrapped
    in VisitError (as lark's Transformer_NonRecursive with v_args(meta=True) does)."""

    def transform(self, tree: Tree) -> Any:
        rev_postfix: list[Any] = []
        q: list[Any] = [tree]
        while q:
            t = q.pop()
            rev_postfix.append(t)
            if isinstance(t, Tree):
                q += t.children
        stack: list[Any] = []
        for x in reversed(rev_postfix):
            if isinstance(x, Tree):
                size = len(x.children)
                args = stack[-size:] if size else []
                if size:
                    del stack[-size:]
                stack.append(self._call(x.data, x.meta, args, x))
            elif isinstance(x, Token):
                stack.append(self._call_token(x))
            else:
                stack.append(x)
        result, = stack
        return result

    def _call(self, data: str, meta: Meta, children: list[Any], tree: Tree) -> Any:
        try:
            f = getattr(self, data)
        except AttributeError:
            return Tree(data, children, meta)
        try:
            return f(meta, children)
        except Exception as e:  # noqa: BLE001 - handed on, wrapped, like lark's
            raise VisitError(data, e) from e

    def _call_token(self, token: Token) -> Any:
        try:
            f = getattr(self, token.type)
        except AttributeError:
            return token
        try:
            return f(token)
        except Exception as e:  # noqa: BLE001
            raise VisitError(token.type, e) from e


# --------------------------------------------------------------------------- from lark


def from_lark(tree: Any) -> Tree:
    """lark's parse tree as ours (the fallback path, when the tables had to be built)."""
    def token(t: Any) -> Token:
        return Token(t.type, str(t), t.start_pos, t.line, t.column, t.end_line,
                     t.end_column, t.end_pos)

    def meta(m: Any) -> Meta:
        out = Meta()
        out.__dict__.update(vars(m))
        return out

    root = Tree(tree.data, list(tree.children), meta(tree.meta))
    stack = [root]
    while stack:
        node = stack.pop()
        for i, c in enumerate(node.children):
            if c is None or isinstance(c, (Tree, Token)):
                continue
            if hasattr(c, "data"):
                node.children[i] = sub = Tree(c.data, list(c.children), meta(c.meta))
                stack.append(sub)
            else:
                node.children[i] = token(c)
    return root
