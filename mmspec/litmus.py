"""Reading herd7's C litmus tests (the Linux kernel's tools/memory-model/litmus-tests format).

    translate_file(path) -> str      the .mms text of one litmus test (or a SpecError)
    parse_litmus(text, path) -> Test the test as plain dataclasses

A litmus file is untrusted input: it is tokenised and parsed by hand into the dataclasses
mmspec/litmus_ast.py, every name is checked against the identifier syntax the .mms language accepts, and
only those names and integer literals reach the generated text (`litmus_emit`). Anything we
cannot translate faithfully is an error at its `file:line:col` naming what is missing, never
a guess. The format, as herd7 reads it:

    C NAME                          test name (free text up to the end of the line)
    (* Result: Never *)             comments; the kernel's header states LKMM's result
    { int x; int *p=y; 0:r0=1; }    initial state
    P0(int *x, spinlock_t *s) { int r0; r0 = READ_ONCE(*x); ... }
    locations [x; 0:r0]             ignored (a printing aid)
    filter (...)                    optional: only final states satisfying it count
    exists (0:r0=1 /\\ x=2)          or `~exists`, `forall`; `/\\`, `\\/`, `~`, `=`, `!=`
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mmspec.diagnostics import Diagnostic, SpecError
from mmspec.ir import Span
from mmspec.litmus_ast import (  # the test's dataclasses
    Num, Name, Unary, Binary, Call, Assign, Expr, CType, Decl, ExprStmt, If, Stmt, Param,
    Thread, InitLoc, InitReg, CondAtom, CondBool, CondNot, CondOp, Cond, Quantifier, Result,
    Test, E_CHAR, E_TOKEN, E_EOF, E_BIGINT, E_NAME, E_NOTHERE,
    E_TYPE, MAX_INT, IDENT, MMS_KEYWORDS, LitmusError,
)

# ----------------------------------------------------------------------------- tokens

TokKind = Literal["name", "int", "op", "eof"]


@dataclass(frozen=True)
class Tok:
    kind: TokKind
    text: str
    span: Span


_OPS = ("/\\", "\\/", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "{", "}", "[", "]",
        ";", ",", "*", "&", "=", "<", ">", "+", "-", "!", "~", ":", ".", "/", "%", "^", "|",
        "?")


class _Lexer:
    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.pos = 0
        self.line = 1
        self.col = 1
        self.c_mode = False  # inside a thread: `(*x` is C, not a comment

    def _span(self, line: int, col: int) -> Span:
        return Span(self.path, line, col, self.line, self.col)

    def _advance(self, n: int) -> None:
        for ch in self.text[self.pos:self.pos + n]:
            if ch == "\n":
                self.line += 1
                self.col = 1
            else:
                self.col += 1
        self.pos += n

    def comments_and_space(self, comments: list[str]) -> None:
        """Skips blanks and comments; the text of `(* ... *)` comments goes to `comments`."""
        t = self.text
        while self.pos < len(t):
            ch = t[self.pos]
            if ch in " \t\r\n\f\v":
                self._advance(1)
            elif t.startswith("(*", self.pos) and not self.c_mode:
                line, col = self.line, self.col
                depth, i = 0, self.pos
                while i < len(t):
                    if t.startswith("(*", i):
                        depth, i = depth + 1, i + 2
                    elif t.startswith("*)", i):
                        depth, i = depth - 1, i + 2
                        if depth == 0:
                            break
                    else:
                        i += 1
                if depth:
                    raise LitmusError(E_EOF, "unterminated comment '(*'",
                                      Span(self.path, line, col, line, col + 2),
                                      expected="'*)'")
                comments.append(t[self.pos + 2:i - 2])
                self._advance(i - self.pos)
            elif t.startswith("/*", self.pos):
                end = t.find("*/", self.pos + 2)
                if end < 0:
                    raise LitmusError(E_EOF, "unterminated comment '/*'",
                                      Span(self.path, self.line, self.col, self.line,
                                           self.col + 2), expected="'*/'")
                self._advance(end + 2 - self.pos)
            elif t.startswith("//", self.pos):
                end = t.find("\n", self.pos)
                self._advance((len(t) if end < 0 else end) - self.pos)
            else:
                return

    def rest_of_line(self) -> tuple[str, Span]:
        line, col = self.line, self.col
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        word = self.text[self.pos:end].strip()
        self._advance(end - self.pos)
        return word, self._span(line, col)

    def next(self, comments: list[str]) -> Tok:
        self.comments_and_space(comments)
        line, col = self.line, self.col
        t = self.text
        if self.pos >= len(t):
            return Tok("eof", "", Span(self.path, line, col, line, col + 1))
        m = IDENT.match(t, self.pos)
        if m:
            self._advance(m.end() - self.pos)
            return Tok("name", m.group(), self._span(line, col))
        m = re.compile(r"0[xX][0-9a-fA-F]+|[0-9]+").match(t, self.pos)
        if m:
            self._advance(m.end() - self.pos)
            return Tok("int", m.group(), self._span(line, col))
        for op in _OPS:
            if t.startswith(op, self.pos):
                self._advance(len(op))
                return Tok("op", op, self._span(line, col))
        ch = t[self.pos]
        shown = ch if ch.isprintable() else repr(ch)
        raise LitmusError(E_CHAR, f"unexpected character {shown!r}",
                          Span(self.path, line, col, line, col + 1))


# ----------------------------------------------------------------------------- parser

C_TYPES: dict[str, CType] = {"int": "int", "long": "int", "spinlock_t": "spinlock_t",
                             "atomic_t": "atomic_t"}


def _join(a: Span, b: Span) -> Span:
    return Span(a.file, a.line, a.col, b.end_line, b.end_col)


class _Parser:
    def __init__(self, text: str, path: str):
        self.lex = _Lexer(text, path)
        self.path = path
        self.comments: list[str] = []
        self.tok = self.lex.next(self.comments)

    # -- token helpers
    def advance(self) -> Tok:
        t = self.tok
        self.tok = self.lex.next(self.comments)
        return t

    def at(self, text: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.text == text

    def accept(self, text: str) -> Tok | None:
        return self.advance() if self.at(text) else None

    def error(self, expected: str) -> LitmusError:
        t = self.tok
        if t.kind == "eof":
            return LitmusError(E_EOF, "unexpected end of file", t.span, expected=expected)
        return LitmusError(E_TOKEN, f"unexpected '{t.text}'", t.span, expected=expected)

    def expect(self, text: str) -> Tok:
        if not self.at(text):
            raise self.error(f"'{text}'")
        return self.advance()

    def name(self, what: str) -> Tok:
        if self.tok.kind != "name":
            raise self.error(what)
        t = self.advance()
        _check_ident(t.text, t.span)
        return t

    def integer(self) -> tuple[int, Span]:
        neg = self.accept("-")
        if self.tok.kind != "int":
            raise self.error("an integer")
        t = self.advance()
        value = int(t.text, 0) if t.text[:2].lower() == "0x" else int(t.text, 10)
        if value > MAX_INT:
            raise LitmusError(E_BIGINT, f"integer {t.text} is too large", t.span,
                              expected=f"at most 2^62 ({MAX_INT})")
        return (-value if neg else value), (_join(neg.span, t.span) if neg else t.span)

    # -- the file
    def test(self) -> Test:
        head = self.tok
        if not (head.kind == "name" and head.text == "C"):
            raise self.error("'C NAME' (a herd7 C litmus test starts with its name)")
        name, name_span = self.lex.rest_of_line()
        if not name or not re.fullmatch(r"[A-Za-z0-9_.+\-]+", name):
            raise LitmusError(E_TOKEN, "the test name must be letters, digits, '_', '.', "
                              "'+' or '-'", name_span if name else head.span,
                              expected="a test name after 'C'")
        self.tok = self.lex.next(self.comments)
        init = self.init_block()
        threads: list[Thread] = []
        while self.tok.kind == "name" and re.fullmatch(r"P[0-9]+", self.tok.text):
            threads.append(self.thread(len(threads)))
        if not threads:
            raise self.error("a thread 'P0(...) { ... }'")
        filt: Cond | None = None
        if self.accept("locations"):
            self.skip_locations()
        if self.accept("filter"):
            filt = self.cond()
        quant = self.quantifier()
        cond = self.cond()
        if self.tok.kind != "eof":
            raise self.error("the end of the file after the final condition")
        result, result_text = _stated_result(self.comments)
        return Test(name, result, result_text, tuple(init), tuple(threads), filt, quant, cond,
                    self.path, _join(head.span, name_span))

    def quantifier(self) -> Quantifier:
        if self.accept("exists"):
            return "exists"
        if self.accept("forall"):
            return "forall"
        if self.at("~"):
            tilde = self.advance()
            if not self.accept("exists"):
                raise self.error("'exists' after '~'")
            del tilde
            return "~exists"
        raise self.error("the final condition: 'exists (...)', '~exists (...)' or "
                         "'forall (...)'")

    def skip_locations(self) -> None:
        self.expect("[")
        while not self.at("]"):
            if self.tok.kind == "eof":
                raise self.error("']'")
            self.advance()
        self.advance()

    # -- init block
    def init_block(self) -> list[InitLoc | InitReg]:
        self.expect("{")
        out: list[InitLoc | InitReg] = []
        while not self.accept("}"):
            if self.accept(";"):
                continue
            out.append(self.init_item())
            if not self.at("}"):
                self.expect(";")
        return out

    def init_item(self) -> InitLoc | InitReg:
        start = self.tok.span
        if self.tok.kind == "int":  # 0:r0=1
            thread, _ = self.integer()
            self.expect(":")
            reg = self.name("a register name")
            self.expect("=")
            return InitReg(thread, reg.text, self.init_value(), _join(start, reg.span))
        ctype: CType = "int"
        if self.tok.kind == "name" and self.tok.text in ("unsigned", "signed", "volatile",
                                                         "const"):
            self.advance()
        if self.tok.kind == "name" and self.tok.text in C_TYPES:
            ctype = C_TYPES[self.advance().text]
        elif self.tok.kind == "name" and self.tok.text.endswith("_t"):
            raise LitmusError(E_TYPE, f"type '{self.tok.text}' is not modelled", self.tok.span,
                              expected="int, atomic_t or spinlock_t")
        stars = 0
        while self.accept("*"):
            stars += 1
        if stars > 1:
            raise LitmusError(E_TYPE, "a pointer to a pointer is not modelled", start)
        name = self.name("a location name")
        value: int | str | None = None
        if self.accept("="):
            value = self.init_value()
        if ctype == "spinlock_t" and (stars or value is not None):
            raise LitmusError(E_TYPE, "a spinlock is declared as 'spinlock_t NAME;'",
                              name.span)
        return InitLoc(ctype, stars == 1, name.text, value, _join(start, name.span))

    def init_value(self) -> int | str:
        if self.accept("&"):
            return self.name("a location name").text
        if self.tok.kind == "name" and self.tok.text == "ATOMIC_INIT":
            self.advance()
            self.expect("(")
            v, _ = self.integer()
            self.expect(")")
            return v
        if self.tok.kind == "name":
            return self.name("a location name").text
        return self.integer()[0]

    # -- threads
    def thread(self, expected_index: int) -> Thread:
        self.lex.c_mode = True
        head = self.advance()
        index = int(head.text[1:])
        if index != expected_index:
            raise LitmusError(E_TOKEN, f"thread {head.text} out of order", head.span,
                              expected=f"P{expected_index}")
        self.expect("(")
        params: list[Param] = []
        while not self.at(")"):
            params.append(self.param())
            if not self.at(")"):
                self.expect(",")
        self.advance()
        body = self.block(outermost=True)
        return Thread(index, tuple(params), tuple(body), head.span)

    def param(self) -> Param:
        start = self.tok.span
        if self.tok.kind != "name" or self.tok.text not in C_TYPES:
            if self.tok.kind == "name" and self.tok.text.endswith("_t"):
                raise LitmusError(E_TYPE, f"type '{self.tok.text}' is not modelled",
                                  self.tok.span, expected="int, atomic_t or spinlock_t")
            raise self.error("a parameter such as 'int *x'")
        ctype = C_TYPES[self.advance().text]
        stars = 0
        while self.accept("*"):
            stars += 1
        name = self.name("a parameter name")
        if stars == 0 or stars > 2:
            raise LitmusError(E_TYPE, "a thread parameter names a shared location: "
                              "'int *x' or 'int **p'", _join(start, name.span))
        return Param(ctype, stars, name.text, _join(start, name.span))

    def block(self, outermost: bool = False) -> list[Stmt]:
        self.expect("{")
        out: list[Stmt] = []
        while not self.at("}"):
            out.extend(self.stmt())
        if outermost:
            self.lex.c_mode = False  # what follows the thread is litmus syntax again
        self.advance()
        return out

    def stmt(self) -> list[Stmt]:
        t = self.tok
        if t.kind == "eof":
            raise self.error("'}'")
        if self.accept(";"):
            return []
        if self.at("{"):
            return self.block()
        if t.kind == "name" and t.text == "if":
            self.advance()
            self.expect("(")
            cond = self.expr()
            self.expect(")")
            then = self.stmt()
            orelse = self.stmt() if self.accept("else") else []
            return [If(cond, tuple(then), tuple(orelse), t.span)]
        if t.kind == "name" and t.text in ("while", "for", "do", "goto", "return", "switch"):
            raise LitmusError(E_NOTHERE, f"'{t.text}' is not supported in a litmus thread",
                              t.span, notes=("loops and jumps have no translation yet; "
                                             "straight-line code and 'if' do",))
        if t.kind == "name" and t.text in C_TYPES:
            return self.decl()
        e = self.expr()
        self.expect(";")
        return [ExprStmt(e, e.span)]

    def decl(self) -> list[Stmt]:
        ctype = C_TYPES[self.advance().text]
        out: list[Stmt] = []
        while True:
            stars = 0
            while self.accept("*"):
                stars += 1
            name = self.name("a register name")
            if stars > 1:
                raise LitmusError(E_TYPE, "a pointer to a pointer is not modelled", name.span)
            init = self.expr() if self.accept("=") else None
            out.append(Decl(ctype, stars == 1, name.text, init, name.span))
            if not self.accept(","):
                break
        self.expect(";")
        return out

    # -- C expressions (precedence climbing, lowest first)
    def expr(self) -> Expr:
        left = self.binary(0)
        if self.at("="):
            eq = self.advance()
            if not (isinstance(left, Name) or (isinstance(left, Unary) and left.op == "*")):
                raise LitmusError(E_NOTHERE, "only a register or '*location' can be "
                                  "assigned", left.span)
            value = self.expr()
            return Assign(left, value, _join(left.span, value.span))
        if self.at("?"):
            raise LitmusError(E_NOTHERE, "the '?:' operator is not supported", self.tok.span)
        return left

    LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="),
                                           ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Expr:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.tok.kind == "op" and self.tok.text in self.LEVELS[level]:
            op = self.advance().text
            right = self.binary(level + 1)
            left = Binary(op, left, right, _join(left.span, right.span))
        if self.tok.kind == "op" and self.tok.text in ("&", "|", "^", "/\\", "\\/") \
                and level == 0:
            raise LitmusError(E_NOTHERE, f"operator '{self.tok.text}' is not supported in "
                              "thread code", self.tok.span)
        return left

    def unary(self) -> Expr:
        t = self.tok
        if t.kind == "op" and t.text in ("*", "&", "!", "-"):
            self.advance()
            arg = self.unary()
            op: Literal["*", "&", "!", "-"] = t.text  # type: ignore[assignment]
            return Unary(op, arg, _join(t.span, arg.span))
        if self.at("("):
            self.advance()
            if self.tok.kind == "name" and self.tok.text == "void":
                self.advance()
                self.expect(")")
                arg = self.unary()
                return Unary("void", arg, _join(t.span, arg.span))
            e = self.expr()
            self.expect(")")
            return e
        if t.kind == "int":
            v, span = self.integer()
            return Num(v, span)
        if t.kind == "name":
            self.advance()
            if self.at("("):
                self.advance()
                args: list[Expr] = []
                while not self.at(")"):
                    args.append(self.expr())
                    if not self.at(")"):
                        self.expect(",")
                close = self.advance()
                if not IDENT.fullmatch(t.text) or t.text.startswith("__"):
                    raise LitmusError(E_NAME, f"'{t.text}' cannot be translated", t.span)
                return Call(t.text, tuple(args), _join(t.span, close.span))
            _check_ident(t.text, t.span)
            return Name(t.text, t.span)
        raise self.error("an expression")

    # -- the final condition
    def cond(self) -> Cond:
        first = self.cond_and()
        args = [first]
        while self.accept("\\/"):
            args.append(self.cond_and())
        if len(args) == 1:
            return first
        return CondOp("or", tuple(args), _join(first.span, args[-1].span))

    def cond_and(self) -> Cond:
        first = self.cond_not()
        args = [first]
        while self.accept("/\\"):
            args.append(self.cond_not())
        if len(args) == 1:
            return first
        return CondOp("and", tuple(args), _join(first.span, args[-1].span))

    def cond_not(self) -> Cond:
        t = self.tok
        if self.accept("~") or self.accept("not"):
            arg = self.cond_not()
            return CondNot(arg, _join(t.span, arg.span))
        if self.accept("("):
            inner = self.cond()
            self.expect(")")
            return inner
        if t.kind == "name" and t.text in ("true", "false"):
            self.advance()
            return CondBool(t.text == "true", t.span)
        thread: int | None = None
        if t.kind == "int":
            thread, _ = self.integer()
            self.expect(":")
        elif self.accept("*"):
            pass  # herd accepts `*x=1` for the location x
        name = self.name("a register 'N:r0' or a location 'x'")
        if self.accept("="):
            negated = False
        elif self.accept("!="):
            negated = True
        else:
            raise self.error("'=' or '!='")
        if self.accept("&") or self.tok.kind == "name":
            vtok = self.name("a location name")
            value: int | str = vtok.text
            end = vtok.span
        else:
            value, end = self.integer()
        return CondAtom(thread, name.text, negated, value, _join(t.span, end))


def _check_ident(name: str, span: Span) -> None:
    """Only names the .mms language accepts as identifiers reach the generated text."""
    if not IDENT.fullmatch(name) or name.startswith("__") or name in MMS_KEYWORDS:
        raise LitmusError(E_NAME, f"'{name}' cannot be used as a name in the translated spec",
                          span, expected="a name that is not an .mms keyword and does not "
                          "start with '__'")


def _stated_result(comments: list[str]) -> tuple[Result | None, str | None]:
    """`Result: Never|Sometimes|Always` from the first comment that states one."""
    for c in comments:
        m = re.search(r"\bResult:\s*([A-Za-z]+)", c)
        if m:
            word = m.group(1)
            known: dict[str, Result] = {"Never": "Never", "Sometimes": "Sometimes",
                                        "Always": "Always"}
            return known.get(word), word
    return None, None


# ----------------------------------------------------------------------------- entry points


def parse_litmus(text: str, path: str) -> Test:
    """The test in `text` (read from `path`, which only labels spans), or a SpecError."""
    try:
        return _Parser(text, path).test()
    except LitmusError as e:
        raise SpecError([e.diagnostic], {path: text}) from None
    except RecursionError:
        raise SpecError([Diagnostic("MMS106", "litmus test nested too deeply",
                                    Span(path, 1, 1, 1, 2))], {path: text}) from None


def read_litmus(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SpecError([Diagnostic("MMS100", f"cannot read file: {e.strerror or e}",
                                    Span(path, 0, 0, 0, 0))]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise SpecError([Diagnostic("MMS101", "file is not valid UTF-8",
                                    Span(path, line, col, line, col + 1))]) from None


def translate_text(text: str, path: str, origin: str | None = None) -> str:
    """The .mms text of the litmus test in `text`; `origin` is a provenance line for the
    header comment (for example the kernel path and commit it came from)."""
    from mmspec.litmus_emit import emit

    test = parse_litmus(text, path)
    try:
        return emit(test, origin)
    except LitmusError as e:
        raise SpecError([e.diagnostic], {path: text}) from None


def translate_file(path: str, origin: str | None = None) -> str:
    return translate_text(read_litmus(path), path, origin)
