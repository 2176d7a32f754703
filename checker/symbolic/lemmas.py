"""An invariant over ground slots, printed as `.mms` helper invariants over the spec's names.

The solver's invariant is a formula over one z3 variable per slot. Each slot is shown as the
spec wrote it (the reverse of grounding):
- an int slot of a state, ghost or local variable is a term: `x`, `m[K]`, `r.f`, `P[i].x`;
- a bool slot is a predicate: `b`, `m[K].f`, `e in S`, and a reader slot of an rwsem is
  `held_read(L, T)`; a writer_pref rwsem's queue is the term `queued_writers(L)`;
- an enum, a program counter or a lock owner has no integer in the language, so it is a set
  of cases, one predicate per value: `st == LIVE`, `P[i]@label`, `held_write(L, T)` (no
  owner: no thread holds it). An atom over such slots is split by cases: for each value
  combination the rest of the atom is simplified, and the cases are grouped by what is left.

Top-level conjuncts become one declaration each. The state that contexts, RCU, object
pools, interrupts and lockdep add reads by the kernel's names of mmspec/kernelstate.py
(`rcu_preempt_depth(reader[1])`, `object_freed(Vma, 1)`, `lock_subclass(L, T)`), which the
type checker reads back (tests/test_kernel_state_reads.py checks every spelt slot). A slot no spelling covers (none known in the
library) is printed as a comment saying so, and then the pasted invariant may not be
inductive.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Sequence

import z3  # type: ignore[import-untyped]

from mmspec import ir, kernelstate
from mmspec.ground import GroundSystem, display_scalar

MAX_CASES = 512  # value combinations an atom may be split into before giving up


class Unprintable(Exception):
    """A formula mentions a slot (or a shape) that the language cannot spell."""


@dataclass
class SlotView:
    """How one slot is spelt: as an int term, a bool predicate, or per-value cases."""

    term: str | None = None  # int slot usable in arithmetic
    pred: str | None = None  # bool slot: the predicate that is true when the slot is 1
    cases: dict[int, str] = field(default_factory=dict)  # value -> predicate
    why: str | None = None  # set when the slot cannot be spelt at all


def render_invariant(system: GroundSystem, enc: object, inv: z3.BoolRef,
                     prefix: str = "pdr") -> list[str]:
    """`helper invariant` lines for `inv` (a formula over enc.cur)."""
    cur = getattr(enc, "cur")
    views = [slot_view(system, k) for k in range(len(system.slots))]
    printer = _Printer({x.get_id(): (k, views[k], x) for k, x in enumerate(cur)}, system)
    inv = z3.simplify(inv, som=True)
    domain = getattr(enc, "domain_t")
    parts = [p for p in _conjuncts(inv) if not _valid(z3.Implies(domain, p))]
    lines = []
    for i, part in enumerate(parts, 1):
        try:
            text = printer.bool(part)
        except Unprintable as e:
            lines.append(f"// {prefix}_{i} is not expressible in .mms ({e}): {part.sexpr()}"
                         .replace("\n", " "))
            continue
        lines.append(f"helper invariant {prefix}_{i}: {text}")
    if not parts:
        lines.append(f"helper invariant {prefix}_1: true")
    return lines


def render_cubes(system: GroundSystem, cubes: Sequence[Sequence[tuple[int, int, int]]],
                 prefix: str = "pdr") -> list[str]:
    """`helper invariant` lines saying that no state lies in any of the cubes (each a
    conjunction of literals `slot == v`, `slot <= v`, `slot >= v`, op 0, 1, 2 as in
    ic3.py: IC3's lemmas)."""
    views = [slot_view(system, k) for k in range(len(system.slots))]
    lines = []
    for i, cube in enumerate(cubes, 1):
        try:
            lits = [_literal(views[k], v) if op == 0 else
                    _bound(views[k], system.slots[k].lo, system.slots[k].hi, op, v)
                    for k, op, v in cube]
        except Unprintable as e:
            lines.append(f"// {prefix}_{i} is not expressible in .mms ({e})")
            continue
        body = " && ".join(_paren(x) for x in lits)
        lines.append(f"helper invariant {prefix}_{i}: " +
                     (_neg(body) if len(lits) == 1 else f"!({body})"))
    return lines or [f"helper invariant {prefix}_1: true"]


def _literal(view: SlotView, v: int) -> str:
    """The predicate `slot == v`."""
    if view.cases:
        if v not in view.cases:
            raise Unprintable(f"value {v} outside the cases")
        return view.cases[v]
    if view.pred is not None:
        return view.pred if v else _neg(view.pred)
    if view.term is not None:
        return f"{view.term} == {v}"
    raise Unprintable(view.why or "slot without spelling")


def _bound(view: SlotView, lo: int, hi: int, op: int, v: int) -> str:
    """The predicate `slot <= v` (op 1) or `slot >= v` (op 2): a comparison of an int
    term, or the cases it covers for a slot spelt by cases (a pc, an enum, an owner)."""
    if view.term is not None:
        return f"{view.term} {'<=' if op == 1 else '>='} {v}"
    if view.cases:
        vals = list(range(lo, v + 1) if op == 1 else range(v, hi + 1))
        if any(x not in view.cases for x in vals):
            raise Unprintable(f"values {vals} outside the cases")
        return _one_of(view, vals)
    return _literal(view, v)  # a bool slot: only equalities reach here


def _valid(f: z3.BoolRef) -> bool:
    s = z3.Solver(ctx=f.ctx)
    s.add(z3.Not(f))
    return bool(s.check() == z3.unsat)


def _conjuncts(f: z3.BoolRef) -> list[z3.BoolRef]:
    if z3.is_true(f):
        return []
    if z3.is_and(f):
        out: list[z3.BoolRef] = []
        for c in f.children():
            out += _conjuncts(c)
        return out
    return [f]


# ---------------------------------------------------------------------- slot spellings


def slot_view(system: GroundSystem, k: int) -> SlotView:
    slot = system.slots[k]
    spec = system.spec
    var = spec.variable(slot.var)
    kernel = kernelstate.spell(spec, var.name, slot.path) if var.kind in ("lock", "ghost") \
        else None
    if kernel is not None:  # RCU nesting, object lifetimes, lockdep state: the kernel's names
        return SlotView(term=kernel.term, pred=kernel.pred, cases=dict(kernel.cases))
    if var.kind == "lock":
        return _lock_view(system, var, slot.path)
    if var.kind == "pc":
        proc, t, path = _process_ref(spec, var, slot.path)
        assert isinstance(t, ir.EnumType)
        return SlotView(cases={i: f"{proc}@{m}" for i, m in enumerate(t.members)})
    if var.kind == "local":
        proc, t, path = _process_ref(spec, var, slot.path)
        base = f"{proc}.{var.name.split('.', 1)[1]}"
    else:
        base, t, path = var.name, var.type, slot.path
    return _walk(base, t, path, slot.lo, slot.hi)


def _process_ref(spec: ir.Spec, var: ir.Variable, path: tuple[int | str, ...]
                 ) -> tuple[str, ir.Type, tuple[int | str, ...]]:
    """`P` or `P[i]` for a pc/local, with the type and path left after the instance."""
    proc = var.process or var.name.split(".", 1)[0]
    indexed = any(th.process == proc and th.index is not None for th in spec.threads)
    t = var.type
    if indexed:
        assert isinstance(t, ir.MapType)
        return f"{proc}[{_key(t.key, path[0])}]", t.value, path[1:]
    return proc, t, path


def _walk(base: str, t: ir.Type, path: tuple[int | str, ...], lo: int, hi: int) -> SlotView:
    text = base
    for p in path:
        if isinstance(t, ir.MapType):
            text, t = f"{text}[{_key(t.key, p)}]", t.value
        elif isinstance(t, ir.RecordType):
            text, t = f"{text}.{p}", dict(t.fields)[str(p)]
        elif isinstance(t, ir.SetType):
            return SlotView(pred=f"{_key(t.elem, p)} in {text}")
        else:
            raise AssertionError(f"path {path} does not fit {t}")
    if isinstance(t, ir.BoolType):
        return SlotView(pred=text)
    if isinstance(t, ir.EnumType):
        return SlotView(cases={i: f"{text} == {m}" for i, m in enumerate(t.members)})
    if isinstance(t, ir.IntType) and t.values is not None:  # a compact slot holds an index
        return SlotView(cases={i: f"{text} == {v}" for i, v in enumerate(t.values)})
    return SlotView(term=text)


def _key(t: ir.Type, k: object) -> str:
    v = display_scalar(t, k) if isinstance(k, int) else k
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _lock_view(system: GroundSystem, var: ir.Variable, path: tuple[int | str, ...]) -> SlotView:
    spec = system.spec
    info = next((lk for lk in spec.locks
                 if var.name in (lk.owner_var, lk.readers_var, lk.waiting_var,
                                 lk.subclass_var)), None)
    if info is None:
        return SlotView(why=f"internal variable {var.name}")
    name = info.name
    if info.index_type is not None:
        name, path = f"{name}[{_key(info.index_type, path[0])}]", path[1:]
    threads = {th.tid: th.name for th in spec.threads}
    if var.name == info.owner_var:
        held = "held_write" if info.shared else "held"
        cases = {tid: f"{held}({name}, {t})" for tid, t in threads.items()}
        cases[-1] = " && ".join(f"!{held}({name}, {t})" for t in threads.values()) or "true"
        return SlotView(cases=cases)
    if var.name == info.readers_var:
        t = threads.get(path[0]) if path and isinstance(path[0], int) else None
        if t is None:
            return SlotView(why=f"reader slot of {name}")
        return SlotView(pred=f"held_read({name}, {t})")
    if var.name == info.waiting_var:
        return SlotView(term=f"queued_writers({name})")
    return SlotView(why=f"{var.name} has no .mms spelling")


# ---------------------------------------------------------------------- formulas


_CMP = {z3.Z3_OP_LE: "<=", z3.Z3_OP_LT: "<", z3.Z3_OP_GE: ">=", z3.Z3_OP_GT: ">",
        z3.Z3_OP_EQ: "==", z3.Z3_OP_DISTINCT: "!="}


_FLIP = {z3.Z3_OP_LE: lambda a, b: a > b, z3.Z3_OP_LT: lambda a, b: a >= b,
         z3.Z3_OP_GE: lambda a, b: a < b, z3.Z3_OP_GT: lambda a, b: a <= b}


class _Printer:
    def __init__(self, slots: dict[int, tuple[int, SlotView, z3.ExprRef]],
                 system: GroundSystem):
        self.slots = slots
        self.system = system

    # bool structure -----------------------------------------------------------------

    def bool(self, f: z3.ExprRef) -> str:
        if z3.is_true(f):
            return "true"
        if z3.is_false(f):
            return "false"
        if z3.is_not(f):
            inner = f.arg(0)
            flip = _FLIP.get(inner.decl().kind())
            if flip is not None and not z3.is_bool(inner.arg(0)):
                return self.bool(flip(inner.arg(0), inner.arg(1)))
            return _neg(self.bool(inner))
        if z3.is_and(f) or z3.is_or(f):
            op = " && " if z3.is_and(f) else " || "
            return op.join(self._paren(self.bool(c)) for c in f.children())
        if z3.is_implies(f):
            return f"{self._paren(self.bool(f.arg(0)))} => {self._paren(self.bool(f.arg(1)))}"
        if z3.is_const(f) and f.get_id() in self.slots:
            view = self.slots[f.get_id()][1]
            if view.pred is None:
                raise Unprintable(view.why or f"bool slot {f}")
            return view.pred
        if z3.is_app_of(f, z3.Z3_OP_ITE):
            c, a, b = (self.bool(x) for x in f.children())
            return f"if {c} then {a} else {b}"
        if z3.is_eq(f) and z3.is_bool(f.arg(0)):
            return f"{self._paren(self.bool(f.arg(0)))} <=> {self._paren(self.bool(f.arg(1)))}"
        if f.decl().kind() in _CMP:
            return self.atom(f)
        raise Unprintable(f"operator {f.decl().name()}")

    def _paren(self, s: str) -> str:
        return _paren(s)

    # atoms --------------------------------------------------------------------------

    def atom(self, f: z3.ExprRef) -> str:
        """A comparison; split by cases over the slots that have no integer spelling."""
        f = _lift_ite(f)
        if not (f.decl().kind() in _CMP):
            return self.bool(f)
        casey = [(x, v) for x, v in self._slots_in(f) if v.term is None]
        if not casey:
            return self._cmp(f)
        for _, v in casey:
            if not v.cases:
                raise Unprintable(v.why or "slot without spelling")
        combos = list(itertools.product(*[sorted(v.cases) for _, v in casey]))
        if len(combos) > MAX_CASES:
            raise Unprintable(f"{len(combos)} cases")
        groups: dict[str, set[tuple[int, ...]]] = {}
        for combo in combos:
            rest = z3.simplify(z3.substitute(f, *[(x, _val(x, c)) for (x, _), c
                                                   in zip(casey, combo)]))
            if z3.is_false(rest):
                continue
            key = "true" if z3.is_true(rest) else self.bool(rest)
            groups.setdefault(key, set()).add(combo)
        if not groups:
            return "false"
        views = [v for _, v in casey]
        alts = []
        for key, when in groups.items():
            cond = _combos(views, when)
            alts.append(cond if key == "true" else
                        key if cond == "true" else f"{self._paren(cond)} && {self._paren(key)}")
        return alts[0] if len(alts) == 1 else " || ".join(self._paren(a) for a in alts)

    def _slots_in(self, f: z3.ExprRef) -> list[tuple[z3.ExprRef, SlotView]]:
        out: dict[int, tuple[z3.ExprRef, SlotView]] = {}
        todo = [f]
        while todo:
            x = todo.pop()
            if z3.is_const(x) and x.get_id() in self.slots:
                out[x.get_id()] = (x, self.slots[x.get_id()][1])
            else:
                todo += x.children()
        return [out[k] for k in sorted(out)]

    def _cmp(self, f: z3.ExprRef) -> str:
        op = _CMP[f.decl().kind()]
        a, b = f.children()[:2]
        if f.decl().kind() == z3.Z3_OP_DISTINCT and f.num_args() != 2:
            raise Unprintable("n-ary distinct")
        if z3.is_bool(a):
            neg = "!" if op == "!=" else ""
            return f"{neg}({self._paren(self.bool(a))} <=> {self._paren(self.bool(b))})"
        return f"{self.term(a)} {op} {self.term(b)}"

    def term(self, t: z3.ExprRef) -> str:
        if z3.is_int_value(t):
            v = t.as_long()
            return str(v) if v >= 0 else f"(-{-v})"
        if z3.is_const(t) and t.get_id() in self.slots:
            view = self.slots[t.get_id()][1]
            if view.term is None:
                raise Unprintable(view.why or f"{t} has no integer spelling")
            return view.term
        k = t.decl().kind()
        args = t.children()
        if k == z3.Z3_OP_ADD:
            out = self.term(args[0])
            for a in args[1:]:
                neg = _negated(a)
                out += f" - {self._factor(neg)}" if neg is not None else \
                    f" + {self._factor(a)}"
            return out
        if k == z3.Z3_OP_SUB:
            return " - ".join(self._factor(a) for a in args)
        if k == z3.Z3_OP_MUL:
            neg = _negated(t)
            if neg is not None:
                return f"-{self._factor(neg)}"
            return " * ".join(self._factor(a) for a in args)
        if k == z3.Z3_OP_UMINUS:
            return f"-{self._factor(args[0])}"
        raise Unprintable(f"int operator {t.decl().name()}")

    def _factor(self, t: z3.ExprRef) -> str:
        s = self.term(t)
        return s if z3.is_const(t) or z3.is_int_value(t) else f"({s})"


_SIMPLE = re.compile(r"^!?[\w.\[\]@]+(\([^()]*\))?$")


def _paren(s: str) -> str:
    return s if _SIMPLE.match(s) or _wrapped(s) else f"({s})"


def _wrapped(s: str) -> bool:
    """Whether s is one parenthesised whole, like "(a || b)" (not "(a) || (b)")."""
    if not (s.startswith("(") and s.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(s):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(s) - 1:
            return False
    return True


def _neg(s: str) -> str:
    """!s without double negations."""
    if s == "true":
        return "false"
    if s == "false":
        return "true"
    if s.startswith("!") and (_SIMPLE.match(s) or _wrapped(s[1:])):
        inner = s[1:]
        return inner[1:-1] if _wrapped(inner) else inner
    if _wrapped(s):
        return _neg(s[1:-1]) if _wrapped(s) and not _SIMPLE.match(s) else "!" + s
    return "!" + _paren(s)


def _combos(views: list[SlotView], want: set[tuple[int, ...]]) -> str:
    """A predicate true exactly for the value combinations in `want` (of the case slots
    `views`): product sets as conjunctions, the complement when it is smaller, else split
    on the first slot and group its values by what the others must be."""
    doms = [sorted(v.cases) for v in views]
    full = set(itertools.product(*doms))
    if want >= full:
        return "true"
    if 2 * len(want) > len(full):
        return _neg(_combos(views, full - want))
    projs = [sorted({c[i] for c in want}) for i in range(len(views))]
    if len(want) == len(set(itertools.product(*projs))):
        parts = [_one_of(v, p) for v, p, d in zip(views, projs, doms) if p != d]
        return " && ".join(_paren(x) for x in parts) or "true"
    by_rest: dict[frozenset[tuple[int, ...]], list[int]] = {}
    for v0 in projs[0]:
        rest = frozenset(c[1:] for c in want if c[0] == v0)
        by_rest.setdefault(rest, []).append(v0)
    alts = []
    for rest, v0s in by_rest.items():
        tail = _combos(views[1:], set(rest))
        head = _one_of(views[0], v0s)
        alts.append(head if tail == "true" else f"{_paren(head)} && {_paren(tail)}")
    return " || ".join(_paren(a) for a in alts)


def _one_of(view: SlotView, vals: Sequence[int]) -> str:
    if len(vals) == 1:
        return view.cases[vals[0]]
    if 2 * len(vals) > len(view.cases):
        others = [v for v in sorted(view.cases) if v not in vals]
        return " && ".join(_neg(view.cases[v]) for v in others)
    return " || ".join(_paren(view.cases[v]) for v in vals)


def _negated(t: z3.ExprRef) -> z3.ExprRef | None:
    """x for a term of the form -1 * x, else None."""
    if z3.is_mul(t) and t.num_args() == 2 and z3.is_int_value(t.arg(0)) and \
            t.arg(0).as_long() == -1:
        return t.arg(1)
    return None


def _val(x: z3.ExprRef, v: int) -> z3.ExprRef:
    return z3.IntVal(v, x.ctx)


def _lift_ite(f: z3.ExprRef) -> z3.ExprRef:
    """Move term-level if-then-else out of an atom: A(ite(c, a, b)) = ite(c, A(a), A(b))."""
    todo = [f]
    while todo:
        x = todo.pop()
        if z3.is_app_of(x, z3.Z3_OP_ITE) and not z3.is_bool(x):
            c, a, b = x.children()
            return z3.If(c, _lift_ite(z3.substitute(f, (x, a))),
                         _lift_ite(z3.substitute(f, (x, b))))
        todo += x.children()
    return f


def render_slots(system: GroundSystem) -> Sequence[SlotView]:
    return [slot_view(system, k) for k in range(len(system.slots))]
