"""One generated numpy function per system computing every guard-side mask of a chunk.

Walking the node table per batch (kernels.Frame) costs a few microseconds of Python per node,
which dominates when levels are small (the specs in specs/ have levels of tens of states and
tens of transitions). All guards, `at` conditions, check conditions and the final-state
predicate are needed for every chunk anyway, so they are emitted once, in dependency order
with shared subexpressions computed once, as straight-line numpy code.

The source holds only our own text: integers (literals, slot shifts and masks, node numbers in
local names), fixed operator strings and a few fixed helper names. Nothing from the spec.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Literal

import numpy as np

from checker import npops
from mmspec.ground import GLit, GOp, eval_gexpr

from .kernels import ITE, LIT, OP, SLOT, Program
from .layout import Layout

MaskFn = Callable[[list[np.ndarray], int], list[np.ndarray]]


class _Gen:
    def __init__(self, prog: Program, layout: Layout):
        self.prog = prog
        self.layout = layout
        self.lines: list[str] = []
        self.done: dict[int, tuple[str, str]] = {}  # node -> (expression, 'lit'|'b'|'i')

    def emit(self, nid: int, expr: str, kind: str) -> tuple[str, str]:
        name = f"v{nid}"
        self.lines.append(f"    {name} = {expr}")
        return name, kind

    def node(self, nid: int) -> tuple[str, str]:
        got = self.done.get(nid)
        if got is None:
            got = self._node(nid)
            self.done[nid] = got
        return got

    def _node(self, nid: int) -> tuple[str, str]:
        k = self.prog.nodes[nid]
        if k[0] == LIT:
            return str(int(k[1])), "lit"
        if k[0] == SLOT:
            return self._slot(nid, k[1])
        if k[0] == ITE:
            return self._ite(nid, k[1], k[2], k[3])
        assert k[0] == OP
        op, args = k[1], k[2]
        if all(self.node(a)[1] == "lit" for a in args):
            v = eval_gexpr(GOp(op, tuple(GLit(int(self.node(a)[0])) for a in args)), ())
            return str(int(v)), "lit"
        form = NP_FORMS.get(op)
        if form is None:
            raise ValueError(f"unknown ground op {op!r}")
        xs = [self.as_bool(a) if form.args == "b" else self.as_int(a) for a in args]
        return self.emit(nid, form.text(xs), form.kind)

    def _slot(self, nid: int, slot: int) -> tuple[str, str]:
        f = self.layout.fields[slot]
        if f.bits == 0:
            return str(int(f.lo)), "lit"
        e = f"W[{f.word}]"
        if f.shift:
            e = f"({e} >> {f.shift})"
        if f.shift or f.bits < self.layout.word_bits[f.word]:
            e = f"({e} & {f.mask})"
        if f.lo:
            e = f"({e} + {f.lo})" if f.lo > 0 else f"({e} - {-f.lo})"
        return self.emit(nid, e, "i")

    def _ite(self, nid: int, cond: int, then: int, other: int) -> tuple[str, str]:
        c = self.as_bool(cond)
        if c in ("True", "False"):
            return self.node(then if c == "True" else other)
        if self.prog.sorts[nid] == "bool":
            a, b = self.as_bool(then), self.as_bool(other)
            return self.emit(nid, f"np.where({c}, {a}, {b})", "b")
        a, b = self.as_int(then), self.as_int(other)
        return self.emit(nid, f"np.where({c}, {a}, {b})", "i")

    def as_bool(self, nid: int) -> str:
        e, kind = self.node(nid)
        if kind == "lit":
            return "True" if int(e) else "False"
        if kind == "b":
            return e
        return f"({e} != 0)"

    def as_int(self, nid: int) -> str:
        e, kind = self.node(nid)
        if kind == "b":
            return f"{e}.astype(np.int64)"
        return e

    def mask(self, nid: int) -> str:
        e = self.as_bool(nid)
        if e in ("True", "False"):
            return f"np.full(n, {e})"
        return e


class NpForm:
    """How a ground operator is written as numpy source: its operands as bool (`b`) or int64
    (`i`) arrays, the text over their expressions, and its result's kind."""

    __slots__ = ("args", "text", "kind")

    def __init__(self, args: Literal["b", "i"], text: Callable[[list[str]], str],
                 kind: Literal["b", "i"]):
        self.args, self.text, self.kind = args, text, kind


def _np_not(xs: list[str]) -> str:
    if xs[0] in ("True", "False"):
        return "False" if xs[0] == "True" else "True"
    return f"(~{xs[0]})"


def _np_infix(sym: str, args: Literal["b", "i"], kind: Literal["b", "i"]) -> NpForm:
    return NpForm(args, lambda xs: "(" + f" {sym} ".join(xs) + ")", kind)


def _np_fold(fn: str) -> NpForm:
    def text(xs: list[str]) -> str:
        e = xs[0]
        for x in xs[1:]:
            e = f"np.{fn}({e}, {x})"
        return e
    return NpForm("i", text, "i")


def _np_helper(op: str) -> NpForm:
    """A call of the kernels' helper `_op` (floor division, modulo, shifts with their
    placeholder 0 where undefined)."""
    return NpForm("i", lambda xs: f"_{op}({xs[0]}, {xs[1]})", "i")


# One entry per ground operator of mmspec/operators.py (tests/test_operators.py checks it).
NP_FORMS: dict[str, NpForm] = {
    "not": NpForm("b", _np_not, "b"),
    "and": _np_infix("&", "b", "b"), "or": _np_infix("|", "b", "b"),
    "implies": NpForm("b", lambda xs: f"(np.logical_not({xs[0]}) | {xs[1]})", "b"),
    "iff": NpForm("b", lambda xs: f"({xs[0]} == {xs[1]})", "b"),
    **{op: _np_infix(sym, "i", "b") for op, sym in (
        ("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="))},
    **{op: _np_infix(sym, "i", "i") for op, sym in (
        ("add", "+"), ("sub", "-"), ("mul", "*"), ("band", "&"), ("bor", "|"),
        ("bxor", "^"))},
    "neg": NpForm("i", lambda xs: f"(-{xs[0]})", "i"),
    "bnot": NpForm("i", lambda xs: f"np.invert({xs[0]})", "i"),
    **{op: _np_helper(op) for op in ("div", "mod", "shl", "shr")},
    "min": _np_fold("minimum"), "max": _np_fold("maximum"),
}


_NAME = re.compile(r"\bv\d+\b")


def with_dels(lines: list[str], keep: str) -> list[str]:
    """`lines` (each `    vN = expr`) with each local deleted right after its last use,
    unless `keep` (the return expression) uses it: a chunk's intermediate int64 arrays then
    die as soon as they can instead of all living until the return (on vma_lock_refcnt at
    READERS=5 the heap's high-water mark fell from 235 to 162 MB)."""
    kept = set(_NAME.findall(keep))
    last: dict[str, int] = {}
    for i, line in enumerate(lines):
        name, expr = line.split(" = ", 1)
        last[name.strip()] = i  # defined here: dead at once if nothing later reads it
        for used in _NAME.findall(expr):
            last[used] = i
    dead: dict[int, list[str]] = {}
    for name, i in last.items():
        if name not in kept:
            dead.setdefault(i, []).append(name)
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in dead:
            out.append("    del " + ", ".join(sorted(dead[i])))
    return out


def mask_function(prog: Program, layout: Layout, roots: list[int]) -> MaskFn:
    """f(W, n) -> [bool mask of length n for each root], W the chunk's words as int64."""
    g = _Gen(prog, layout)
    outs = [g.mask(r) for r in roots]
    ret = "[" + ", ".join(outs) + "]"
    src = "def _masks(W, n):\n" + "\n".join(with_dels(g.lines, ret)) + f"\n    return {ret}\n"
    ns: dict[str, Any] = {"np": np, "_div": npops.div, "_mod": npops.mod, "_shl": npops.shl,
                          "_shr": npops.shr}
    exec(compile(src, "<vector-masks>", "exec"), ns)  # our text only: see module docstring
    fn: MaskFn = ns["_masks"]
    return fn
