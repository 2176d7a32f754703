"""Random `.mms` spec text for differential testing (tests/test_differential_ir.py,
bench/differential.py).

Specs are generated as source text, so they go through the real front-end. Each int
expression carries a static interval, which is how the generator knows whether a map index
can leave the domain, a divisor can be zero, or a value can need more than 64 bits; the
`Features` switch which of those hazards may appear:

- `domain`: unprotected reads that may go out of the domain, divisions that may be by zero,
  in steps (and with `domain_in_invariants` in invariants too); their index or divisor
  always reads the state, since a constant one is a compile-time error;
- `constant_guarded`: protected reads whose index is fixed by a parameter or a bound variable
  (`if i > 0 then c[i - 1] else 0` with `i in 0..N`), which become constants per binding;
- `overflow`: intermediate values beyond 64 bits (constants near the 2^62 literal limit);
- `map_defs`: defs whose body is a map literal.

Without them the specs only exercise what every engine has long supported (guarded reads
with state-dependent indices, lazy conditionals, defs, nested maps and records, sets, range
edges, wrap types, big constants within 64 bits), so all engines must agree on them.

Randomness comes from a `Chooser` (`RandomChooser`: a seeded `random.Random`; the test draws
the seeds with Hypothesis).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence, TypeVar

T = TypeVar("T")
INT64 = 2**63 - 1
LITERAL_LIMIT = 2**62


class Chooser(Protocol):
    def int(self, lo: int, hi: int) -> int: ...

    def choice(self, seq: Sequence[T]) -> T: ...

    def chance(self, p: float) -> bool: ...


class RandomChooser:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.r.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p


@dataclass(frozen=True)
class Features:
    domain: bool = False
    domain_in_invariants: bool = False
    constant_guarded: bool = False
    overflow: bool = False
    map_defs: bool = False
    bits: bool = False  # ~ & | ^ << >> (with `domain`: shift counts that may be negative)


@dataclass(frozen=True)
class I:
    """An int expression: its text, a sound interval of its values, and whether it reads the
    state (a constant index per binding is what grounding rejects statically)."""

    text: str
    lo: int
    hi: int
    var: bool
    const: bool = False  # may fold to one literal in the front-end (no state, no parameter)

    def within(self, lo: int, hi: int) -> bool:
        return lo <= self.lo and self.hi <= hi


@dataclass
class Var:
    name: str
    kind: str  # 'int' | 'bool' | 'enum' | 'map' | 'mrec' | 'rec' | 'set' | 'big'
    lo: int = 0
    hi: int = 0
    wrap: bool = False
    init: int = 0


@dataclass
class Ctx:
    """Names bound where an expression is generated: parameters, quantified variables, def
    parameters; each an int over an interval (K-valued ones are safe map indices)."""

    bound: dict[str, I] = field(default_factory=dict)

    def with_(self, name: str, lo: int, hi: int) -> "Ctx":
        return Ctx({**self.bound, name: I(name, lo, hi, False)})


def _ival_mul(a: I, b: I) -> tuple[int, int]:
    xs = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
    return min(xs), max(xs)


class SpecGen:
    def __init__(self, ch: Chooser, features: Features = Features()):
        self.ch = ch
        self.f = features
        self.n = ch.int(1, 2)  # K = 0..N
        self.vars: dict[str, Var] = {}
        self.defs: list[tuple[str, str, str]] = []  # (name, 'int' | 'bool' | 'map', text)
        self.def_range: dict[str, I] = {}  # int defs: their body's interval and flags
        self.big = ch.chance(0.5 if features.overflow else 0.3)
        self.bigv = LITERAL_LIMIT - ch.choice([0, 1, 3, 2**31])
        self.fresh = 0
        self.in_property = False  # generating an invariant: hazards only if the features say

    @property
    def hazards(self) -> bool:
        """May an unprotected read leave its domain (or a divisor be zero) here?"""
        return self.f.domain and (not self.in_property or self.f.domain_in_invariants)

    # ------------------------------------------------------------------ helpers
    @property
    def lim(self) -> int:
        return 2**70 if self.f.overflow else INT64

    def _new(self, prefix: str) -> str:
        self.fresh += 1
        return f"{prefix}{self.fresh}"

    def lit(self) -> I:
        v = self.ch.int(-3, 4)
        return I(str(v) if v >= 0 else f"({v})", v, v, False, True)

    def k_index(self, ctx: Ctx) -> I:
        """An index that is always in 0..N."""
        opts: list[I] = [I(str(k), k, k, False, True) for k in range(self.n + 1)]
        opts += [b for b in ctx.bound.values() if b.within(0, self.n)]
        opts += [I(v.name, v.lo, v.hi, True) for v in self.vars.values()
                 if v.kind == "int" and not v.wrap and 0 <= v.lo and v.hi <= self.n]
        return self.ch.choice(opts)

    # ------------------------------------------------------------------ int expressions
    def int_expr(self, d: int, ctx: Ctx) -> I:
        ch = self.ch
        k = ch.int(0, 13 if d > 0 else 5)
        if k == 0:
            return self.lit()
        if k == 1 and ctx.bound:
            return ctx.bound[ch.choice(sorted(ctx.bound))]
        if k <= 3:
            ints = [v for v in self.vars.values() if v.kind == "int"]
            if ints:
                v = ch.choice(ints)
                return I(v.name, v.lo, v.hi, True)
            return self.lit()
        if k == 4:
            return self.read(d, ctx)
        if k == 5:
            if self.big and ch.chance(0.4):
                return self.big_mixed(d, ctx)
            if self.big and ch.chance(0.5):
                return self.big_atom()
            return I("N", self.n, self.n, False, True)
        if k == 6:
            a = self.int_expr(d - 1, ctx)
            return self._bounded(I(f"(-{a.text})", -a.hi, -a.lo, a.var, a.const), a)
        if k == 7:
            c = self.bool_expr(d - 1, ctx)
            a, b = self.int_expr(d - 1, ctx), self.int_expr(d - 1, ctx)
            # state-dependent only if both branches are: a constant condition folds away
            # the condition may fold (per binding, or `p || true`): only if both branches
            # read the state is the result sure to, and it is constant if either branch is
            return I(f"(if {c} then {a.text} else {b.text})", min(a.lo, b.lo),
                     max(a.hi, b.hi), a.var and b.var, a.const or b.const)
        if k == 8 and self.defs and any(t == "int" for _, t, _ in self.defs):
            name = ch.choice([n for n, t, _ in self.defs if t == "int"])
            body = self.def_range[name]
            return I(f"{name}({self.k_index(ctx).text})", body.lo, body.hi, body.var,
                     body.const)
        if k == 9:
            return self.divmod(d, ctx)
        if self.f.bits and k >= 11:
            return self.bitop(d, ctx)
        a, b = self.int_expr(d - 1, ctx), self.int_expr(d - 1, ctx)
        op = ch.choice(["+", "-", "*", "min", "max"])
        if op == "+":
            r = I(f"({a.text} + {b.text})", a.lo + b.lo, a.hi + b.hi, a.var or b.var,
                  a.const and b.const)
        elif op == "-":
            r = I(f"({a.text} - {b.text})", a.lo - b.hi, a.hi - b.lo, a.var or b.var,
                  a.const and b.const)
        elif op == "*":
            lo, hi = _ival_mul(a, b)
            r = I(f"({a.text} * {b.text})", lo, hi, a.var or b.var, a.const and b.const)
        else:
            f = min if op == "min" else max
            r = I(f"{op}({a.text}, {b.text})", f(a.lo, b.lo), f(a.hi, b.hi), a.var or b.var,
                  a.const and b.const)
        return self._bounded(r, a)

    def bitop(self, d: int, ctx: Ctx) -> I:
        """`~a`, `a & b`, `a | b`, `a ^ b`, `a << n`, `a >> n`. Intervals from the bit length
        alone (a k-bit two's-complement operand pair gives a k-bit result), independent of
        the engines' own range analysis."""
        ch = self.ch
        a = self.int_expr(d - 1, ctx)
        op = ch.choice(["~", "&", "|", "^", "<<", ">>"])
        if op == "~":
            return self._bounded(I(f"(~{a.text})", -a.hi - 1, -a.lo - 1, a.var, a.const), a)
        if op in ("&", "|", "^"):
            b = self.int_expr(d - 1, ctx)
            k = max(len(bin(x)) for x in (a.lo, a.hi, b.lo, b.hi))  # >= bit length + 1
            r = I(f"({a.text} {op} {b.text})", -(2**k), 2**k, a.var or b.var,
                  a.const and b.const)
            return self._bounded(r, a)
        c = self.int_expr(d - 1, ctx)
        if self.hazards and c.var and -4 <= c.lo and c.hi <= 4 and ch.chance(0.9):
            n = c  # may be negative: a `domain` violation
            nlo, nhi = 0, max(c.hi, 0)
        elif ch.chance(0.5):
            v = ch.int(0, 4)
            n, nlo, nhi = I(str(v), v, v, False, True), v, v
        else:
            n = I(f"min(max({c.text}, 0), 4)", 0, 4, c.var, c.const)
            nlo, nhi = 0, 4
        xs = [x * 2**y if op == "<<" else x // 2**y for x in (a.lo, a.hi) for y in (nlo, nhi)]
        r = I(f"({a.text} {op} {n.text})", min(xs + [0]), max(xs + [0]), a.var or n.var,
              a.const and n.const)
        return self._bounded(r, a)

    def _bounded(self, r: I, fallback: I) -> I:
        """r unless it could leave the magnitude the features allow."""
        return r if -self.lim <= r.lo and r.hi <= self.lim else fallback

    def big_atom(self) -> I:
        z = self.vars.get("z")
        if z is not None and self.ch.chance(0.6):
            return I("z", z.lo, z.hi, True)
        return I("BIG", self.bigv, self.bigv, False, True)

    def big_mixed(self, d: int, ctx: Ctx) -> I:
        """`(x + BIG) * 4`, `BIG - z * 2`, ...: mixed operators around the literal limit."""
        ch = self.ch
        a = self.int_expr(max(d - 1, 0), ctx)
        big = self.big_atom()
        k = I(str(ch.choice([2, 3, 4])), 0, 0, False, True)
        k = I(k.text, int(k.text), int(k.text), False, True)
        inner = I(f"({a.text} + {big.text})", a.lo + big.lo, a.hi + big.hi, a.var or big.var,
                  a.const and big.const) if ch.chance(0.5) else I(
            f"({big.text} - {a.text})", big.lo - a.hi, big.hi - a.lo, a.var or big.var,
            a.const and big.const)
        op = ch.choice(["*", "+", "-", "/", "%"])
        if op == "*":
            lo, hi = _ival_mul(inner, k)
        elif op == "+":
            lo, hi = inner.lo + big.lo, inner.hi + big.hi
            k = big
        elif op == "-":
            lo, hi = inner.lo - k.hi, inner.hi - k.lo
        elif op == "/":
            lo, hi = inner.lo // k.lo, inner.hi // k.lo
        else:
            lo, hi = 0, k.hi - 1
        r = I(f"({inner.text} {op} {k.text})", lo, hi, inner.var or k.var,
              inner.const and k.const)
        return self._bounded(r, self._bounded(inner, a))

    def divmod(self, d: int, ctx: Ctx) -> I:
        ch = self.ch
        a = self.int_expr(d - 1, ctx)
        if ch.chance(0.6):
            dv = self.int_expr(d - 1, ctx)
        else:
            v = ch.choice([2, 3, 4])
            dv = I(str(v), v, v, False, True)
        op = ch.choice(["/", "%"])
        m = max(abs(a.lo), abs(a.hi))
        md = max(abs(dv.lo), abs(dv.hi))
        if dv.lo > 0 or dv.hi < 0:  # never zero
            if op == "/":
                xs = [x // y for x in (a.lo, a.hi) for y in (dv.lo, dv.hi)]
                return I(f"({a.text} / {dv.text})", min(xs), max(xs), a.var or dv.var,
                         a.const and dv.const)
            lo, hi = (0, dv.hi - 1) if dv.lo > 0 else (dv.lo + 1, 0)
            return I(f"({a.text} % {dv.text})", lo, hi, a.var or dv.var,
                     a.const and dv.const)
        lo, hi = (-m, m) if op == "/" else (-md, md)
        if self.hazards and dv.var and ch.chance(0.4):  # may divide by zero
            return I(f"({a.text} {op} {dv.text})", lo, hi, True)
        if dv.var or self.f.constant_guarded:
            # a divisor that does not read the state folds the condition away
            return I(f"(if {dv.text} != 0 then {a.text} {op} {dv.text} else {a.text})",
                     min(lo, a.lo), max(hi, a.hi), dv.var or a.var, a.const)
        return a

    # ------------------------------------------------------------------ reads
    def index(self, d: int, ctx: Ctx) -> I:
        if self.ch.chance(0.5):
            return self.k_index(ctx)
        return self.int_expr(d - 1, ctx)

    def read(self, d: int, ctx: Ctx) -> I:
        """A read of a map/record entry, protected when its index may leave 0..N."""
        maps = [v for v in self.vars.values() if v.kind in ("map", "mrec", "rec", "set")]
        if not maps:
            return self.lit()
        v = self.ch.choice(maps)
        if v.kind == "set":
            return I("card(s)", 0, self.n + 1, True)
        if v.kind == "rec":
            if self.ch.chance(0.5):
                return I("r.n", 0, 3, True)
            return I(f"r.m[{self.bool_expr(d - 1, ctx)}]", 0, 1, True)
        idx = self.index(d, ctx)
        suffix = "" if v.kind == "map" else ".a"
        lo, hi = (v.lo, v.hi) if v.kind == "map" else (0, 2)
        return self.guarded(lambda i: I(f"{v.name}[{i}]{suffix}", lo, hi, True), idx)

    def guarded(self, read: Callable[[str], I], idx: I) -> I:
        if idx.within(0, self.n):
            return read(idx.text)
        r = read(idx.text)
        if self.hazards and idx.var and self.ch.chance(0.4):
            return r  # may leave the domain: a `domain` violation if reached
        if idx.var or self.f.constant_guarded:
            dflt = self.lit()
            if self.ch.chance(0.5):
                cond = f"0 <= {idx.text} && {idx.text} <= N"
            else:
                cond = f"!({idx.text} < 0 || {idx.text} > N)"
            # the condition reads what idx reads: without the state it folds (to dflt)
            return I(f"(if {cond} then {r.text} else {dflt.text})", min(r.lo, dflt.lo),
                     max(r.hi, dflt.hi), idx.var, not idx.var)
        return read(self.k_index(Ctx()).text)

    # ------------------------------------------------------------------ bool expressions
    def bool_expr(self, d: int, ctx: Ctx) -> str:  # noqa: C901 - one case per form
        ch = self.ch
        k = ch.int(0, 14 if d > 0 else 4)
        vs = self.vars
        if k == 0:
            return "b" if "b" in vs else ch.choice(["true", "false"])
        if k <= 2:
            a, b = self.int_expr(max(d - 1, 0), ctx), self.int_expr(max(d - 1, 0), ctx)
            return f"({a.text} {ch.choice(['==', '!=', '<', '<=', '>', '>='])} {b.text})"
        if k == 3:
            if "e" in vs:
                return f"(e {ch.choice(['==', '!='])} {ch.choice(['ea', 'eb', 'ec'])})"
            return self.bool_expr(0, ctx) if d > 0 else "true"
        if k == 4:
            if "s" in vs:
                return f"({self.int_expr(max(d - 1, 0), ctx).text} in s)"
            if "mr" in vs:
                return f"mr[{self.k_index(ctx).text}].f"
            return "false"
        if k == 5:
            return f"!{self.bool_expr(d - 1, ctx)}"
        if k <= 8:
            op = ch.choice(["&&", "||", "=>"])
            return f"({self.bool_expr(d - 1, ctx)} {op} {self.bool_expr(d - 1, ctx)})"
        if k == 9:
            return self.quant(d, ctx)
        if k == 10 and any(t == "bool" for _, t, _ in self.defs):
            name = ch.choice([n for n, t, _ in self.defs if t == "bool"])
            return f"{name}({self.k_index(ctx).text})"
        if k == 11:
            return self.guarded_cond(d, ctx)
        if k == 12 and "s" in vs:
            return ch.choice(["(s == {})", f"(s subseteq {{0, {self.n}}})",
                              f"({self.k_index(ctx).text} in s)", "(card(s) >= 2)"])
        if k == 13 and "mr" in vs:
            return self.guarded_field(d, ctx)
        a, b = self.int_expr(d - 1, ctx), self.int_expr(d - 1, ctx)
        return f"({a.text} {ch.choice(['==', '!=', '<', '<=', '>', '>='])} {b.text})"

    def quant(self, d: int, ctx: Ctx) -> str:
        j = self._new("j")
        q = self.ch.choice(["forall", "exists"])
        dom = "s" if "s" in self.vars and self.ch.chance(0.4) else "K"
        body = self.bool_expr(d - 1, ctx.with_(j, 0, self.n))
        if self.ch.chance(0.3) and ("c" in self.vars or "mr" in self.vars):
            # the neighbour pattern: `j > 0 => c[j - 1] <= c[j]`, a guard on a bound index
            body = self.neighbour(j, body)
        return f"({q} {j} in {dom}: {body})"

    def neighbour(self, j: str, fallback: str) -> str:
        if not self.f.constant_guarded:
            return fallback
        name = "c" if "c" in self.vars else "mr"
        sfx = "" if name == "c" else ".a"
        return self.ch.choice([
            f"({j} > 0 => {name}[{j} - 1]{sfx} <= {name}[{j}]{sfx})",
            f"({j} < N && {name}[{j} + 1]{sfx} != {name}[{j}]{sfx})",
            f"(if {j} == N then true else {name}[{j} + 1]{sfx} >= 0)",
        ])

    def guarded_cond(self, d: int, ctx: Ctx) -> str:
        """A condition whose read is protected by the conjunct or disjunct before it."""
        if "c" not in self.vars:
            return self.bool_expr(d - 1, ctx)
        idx = self.int_expr(d - 1, ctx)
        cmp = self.ch.choice(["==", "<", ">="])
        rhs = self.lit().text
        if idx.within(0, self.n):
            return f"(c[{idx.text}] {cmp} {rhs})"
        if self.hazards and idx.var and self.ch.chance(0.4):
            return f"(c[{idx.text}] {cmp} {rhs})"
        if not (idx.var or self.f.constant_guarded):
            return f"(c[{self.k_index(ctx).text}] {cmp} {rhs})"
        if self.ch.chance(0.5):
            return f"({idx.text} >= 0 && {idx.text} <= N && c[{idx.text}] {cmp} {rhs})"
        return f"({idx.text} < 0 || {idx.text} > N || c[{idx.text}] {cmp} {rhs})"

    def guarded_field(self, d: int, ctx: Ctx) -> str:
        idx = self.index(d, ctx)
        r = self.guarded(lambda i: I(f"(if mr[{i}].f then 1 else 0)", 0, 1, True), idx)
        return f"({r.text} == 1)"

    # ------------------------------------------------------------------ declarations
    def declare(self) -> list[str]:
        ch, n = self.ch, self.n
        out = ["spec gen", f"const N = {n}", "type K = 0..N"]
        if self.big:
            out.append(f"const BIG = {self.bigv}")
        for i in range(ch.int(1, 2)):
            if ch.chance(0.35):
                lo, hi = 0, n  # a state-dependent index that is always in the domain
            else:
                lo = ch.int(-2, 1)
                hi = lo + ch.int(2, 5)
            wrap = ch.chance(0.15)
            name = f"x{i}"
            init = ch.int(lo, hi)
            self.vars[name] = Var(name, "int", lo, hi, wrap, init)
            out.append(f"var {name}: {'wrap ' if wrap else ''}{lo}..{hi} = {init}")
        if ch.chance(0.4):
            self.vars["b"] = Var("b", "bool")
            out.append(f"var b: bool = {ch.choice(['true', 'false'])}")
        if ch.chance(0.25):
            self.vars["e"] = Var("e", "enum")
            out.append("type E = enum { ea, eb, ec }")
            out.append("var e: E = ea")
        if ch.chance(0.5):
            hi = ch.int(1, 2)
            self.vars["c"] = Var("c", "map", 0, hi)
            out.append(f"var c: map[K] 0..{hi} = {ch.int(0, hi)}")
        if ch.chance(0.2):
            self.vars["mr"] = Var("mr", "mrec")
            out.append("var mr: map[K] record { a: 0..2, f: bool } = "
                       "[k in K |-> { a: 0, f: false }]")
        if ch.chance(0.2):
            self.vars["r"] = Var("r", "rec")
            out.append("var r: record { n: 0..3, m: map[bool] 0..1 } = "
                       "{ n: 1, m: [q in bool |-> 0] }")
        if ch.chance(0.3):
            self.vars["s"] = Var("s", "set")
            out.append(f"var s: set[K] = {{{ch.int(0, n)}}}")
        if self.big and ch.chance(0.6):
            self.vars["z"] = Var("z", "big", self.bigv - 2, self.bigv)
            out.append("var z: BIG - 2..BIG = BIG")
        for _ in range(ch.int(0, 2)):
            out.append(self.define())
        return out

    def define(self) -> str:
        name = self._new("f")
        # the argument may be a literal, which the front-end folds into the body
        ctx = Ctx({"v": I("v", 0, self.n, False, True)})
        if self.f.map_defs and "c" in self.vars and self.ch.chance(0.3):
            hi = self.vars["c"].hi
            body = (f"[k in K |-> if k == v then c[k] else "
                    f"(if c[k] < {hi} then c[k] + 1 else 0)]")
            self.defs.append((name, "map", body))
        elif self.ch.chance(0.5):
            e = self.int_expr(2, ctx)
            self.def_range[name] = e
            self.defs.append((name, "int", e.text))
            body = e.text
        else:
            body = self.bool_expr(2, ctx)
            self.defs.append((name, "bool", body))
        return f"def {name}(v) = {body}"

    # ------------------------------------------------------------------ steps
    def update(self, v: Var, ctx: Ctx, primed: bool) -> str:  # noqa: C901
        """One assignment to v (`v' = e` in an action, `v := e` in a process)."""
        ch = self.ch
        eq = "' =" if primed else " :="

        def at(path: str) -> str:  # `c'[i] = ` / `c[i] := `
            return f"{v.name}'{path} =" if primed else f"{v.name}{path} :="
        if v.kind == "int":
            x = ch.int(0, 9)
            if x <= 3:
                return f"{v.name}{eq} (if {v.name} < {v.hi} then {v.name} + 1 else {v.lo})"
            if x <= 4:  # leaves its range at the edge, a `range` violation (unless wrap)
                return f"{v.name}{eq} {v.name} {ch.choice(['+', '-'])} 1"
            e = self.int_expr(2, ctx)
            if x <= 8 and not v.wrap:
                return f"{v.name}{eq} max({v.lo}, min({v.hi}, {e.text}))"
            return f"{v.name}{eq} {self.value_for(v, e, ctx)}"
        if v.kind == "bool":
            return f"b{eq} {self.bool_expr(2, ctx)}"
        if v.kind == "enum":
            return (f"e{eq} (if {self.bool_expr(1, ctx)} then {ch.choice(['ea', 'eb', 'ec'])} "
                    f"else e)")
        if v.kind == "map":
            return self.map_update(v, ctx, at, eq)
        if v.kind == "mrec":
            idx = self.k_index(ctx) if ch.chance(0.7) else self.write_index(ctx)
            y = ch.int(0, 2)
            if y == 0:
                cur = self.guarded(lambda i: I(f"mr[{i}].a", 0, 2, True), idx)
                return (f"{at(f'[{idx.text}].a')} (if {cur.text} < 2 then {cur.text} + 1 "
                        f"else 0)")
            if y == 1:
                return f"{at(f'[{idx.text}].f')} {self.bool_expr(1, ctx)}"
            return (f"{at(f'[{idx.text}]')} {{ a: {ch.int(0, 2)}, f: "
                    f"{self.bool_expr(1, ctx)} }}")
        if v.kind == "rec":
            y = ch.int(0, 2)
            if y == 0:
                return f"{at('.n')} max(0, min(3, {self.int_expr(1, ctx).text}))"
            if y == 1:
                return f"{at(f'.m[{self.bool_expr(1, ctx)}]')} 1 - r.m[true]"
            return f"r{eq} r with .n = (if r.n < 3 then r.n + 1 else 0)"
        if v.kind == "set":
            y = ch.int(0, 2)
            if y == 2:
                return f"s{eq} {{ k in K : {self.bool_expr(1, ctx.with_('k', 0, self.n))} }}"
            elem = self.k_index(ctx)
            loose = [w for w in self.vars.values() if w.kind == "int" and not w.wrap
                     and not (0 <= w.lo and w.hi <= self.n)]
            if self.hazards and loose and ch.chance(0.3):  # may build {3} for a set over K
                elem = I(ch.choice(loose).name, 0, 0, True)
            return f"s{eq} s {ch.choice(['union', 'minus'])} {{{elem.text}}}"
        # big
        return ch.choice([f"z{eq} (if z > BIG - 2 then z - 1 else BIG)",
                          f"z{eq} z + x0 - x0", f"z{eq} BIG - (z - BIG) * (z - BIG)"])

    def write_index(self, ctx: Ctx) -> I:
        """An index to write at; a key outside the domain changes nothing (TLC's EXCEPT).
        A constant one outside the domain is a compile-time error (MMS303), so not that."""
        idx = self.int_expr(1, ctx)
        if self.constant(idx, ctx) and not idx.within(0, self.n):
            return self.k_index(ctx)
        return idx

    @staticmethod
    def constant(e: I, ctx: Ctx) -> bool:
        return e.const

    def value_for(self, v: Var, e: I, ctx: Ctx) -> str:
        """e as a value for v: a constant outside v's range is a compile-time error (MMS303),
        anything else may leave it (a `range` violation) or wrap."""
        if self.constant(e, ctx) and not e.within(v.lo, v.hi):
            return f"max({v.lo}, min({v.hi}, {e.text}))"
        return e.text

    def map_update(self, v: Var, ctx: Ctx, at: Callable[[str], str], eq: str) -> str:
        ch = self.ch
        y = ch.int(0, 4)
        if y <= 1:
            idx = self.k_index(ctx) if ch.chance(0.6) else self.write_index(ctx)
            cur = self.guarded(lambda i: I(f"c[{i}]", v.lo, v.hi, True), idx)
            return f"{at(f'[{idx.text}]')} (if {cur.text} < {v.hi} then {cur.text} + 1 else 0)"
        if y == 2:
            k = self._new("k")
            body = self.int_expr(1, ctx.with_(k, 0, self.n))
            return f"c{eq} [{k} in K |-> max(0, min({v.hi}, {body.text}))]"
        if y == 3 and any(t == "map" for _, t, _ in self.defs):
            name = ch.choice([n for n, t, _ in self.defs if t == "map"])
            return f"c{eq} {name}({self.k_index(ctx).text})"
        idx = self.write_index(ctx)
        return f"c{eq} c with [{idx.text}] = {ch.int(0, v.hi)}"

    def action(self, j: int) -> str:
        ch = self.ch
        param = ch.chance(0.45)
        ctx = Ctx().with_("i", 0, self.n) if param else Ctx()
        head = f"action A{j}" + ("(i in K)" if param else "")
        x = ch.int(0, 9)
        if x <= 3:  # mostly enabled, so the state space grows past the initial state
            head += f" when {self.simple_guard()}"
        elif x <= 7:
            head += f" when {self.simple_guard()} {ch.choice(['&&', '||'])} " \
                    f"{self.bool_expr(2, ctx)}"
        elif x == 8:
            head += f" when {self.bool_expr(2, ctx)}"
        targets = [v for v in self.vars.values()]
        picked = []
        for _ in range(ch.int(1, 2)):
            v = ch.choice(targets)
            if v not in picked:
                picked.append(v)
        body = "; ".join(self.update(v, ctx, primed=True) for v in picked)
        return f"{head} {{ {body} }}"

    def simple_guard(self) -> str:
        v = self.ch.choice([v for v in self.vars.values() if v.kind == "int"])
        return self.ch.choice([f"{v.name} != {self.ch.int(v.lo, v.hi)}", f"{v.name} < {v.hi}",
                               f"{v.name} > {v.lo}"])

    def invariant(self) -> str:
        """Mostly `x != v || p` with v not x's initial value: it can only fail in a state
        reached later, and only when p is false there."""
        ints = [v for v in self.vars.values() if v.kind == "int" and v.lo < v.hi]
        p = f"{self.bool_expr(1, Ctx())} || {self.bool_expr(1, Ctx())}"
        if ints and self.ch.chance(0.9):
            v = self.ch.choice(ints)
            w = self.ch.choice([k for k in range(v.lo, v.hi + 1) if k != v.init])
            return f"{v.name} != {w} || {p}"
        return " || ".join([p] + [self.bool_expr(1, Ctx()) for _ in range(self.ch.int(0, 2))])

    def process(self) -> list[str]:
        """A small sequential thread: await, assignments, an assertion, an if/else."""
        ch = self.ch
        ctx = Ctx()
        out = ["process p {"]
        ints = [v for v in self.vars.values() if v.kind == "int"]
        for j in range(ch.int(2, 4)):
            y = ch.int(0, 3)
            if y == 0:
                out.append(f"  p{j}: await {self.bool_expr(1, ctx)}")
            elif y == 1:
                out.append(f"  p{j}: assert {self.bool_expr(2, ctx)}, \"a{j}\"")
            elif y == 2:
                v = ch.choice(ints)
                out.append(f"  p{j}: {self.update(v, ctx, primed=False)}")
            else:
                v, w = ch.choice(ints), ch.choice(ints)
                out.append(f"  p{j}: if {self.bool_expr(1, ctx)} {{ "
                           f"{self.update(v, ctx, primed=False)} }} else {{ "
                           f"{self.update(w, ctx, primed=False)} }}")
        out.append("}")
        return out

    def spec(self) -> str:
        ch = self.ch
        out = self.declare()
        for j in range(ch.int(1, 4)):
            out.append(self.action(j))
        if ch.chance(0.7):  # a cyclic counter that keeps the system going for a while
            v = ch.choice([v for v in self.vars.values() if v.kind == "int"])
            out.append(f"action Tick {{ {v.name}' = (if {v.name} < {v.hi} then {v.name} + 1 "
                       f"else {v.lo}) }}")
        bumps = {"c": "c'[i] = (if c[i] < {hi} then c[i] + 1 else 0)",
                 "mr": "mr'[i].a = (if mr[i].a < 2 then mr[i].a + 1 else 0)",
                 "s": "s' = (if i in s then s minus {{i}} else s union {{i}})",
                 "b": "b' = !b"}
        mine = [n for n in bumps if n in self.vars]
        if mine and ch.chance(0.6):  # and one that walks a structured variable
            n = ch.choice(mine)
            out.append(f"action Bump(i in K) {{ {bumps[n].format(hi=self.vars[n].hi)} }}")
        if ch.chance(0.3):
            out += self.process()
        self.in_property = True
        for j in range(ch.int(0, 2)):
            out.append(f"invariant inv{j}: {self.invariant()}")
        self.in_property = False
        if ch.chance(0.4):
            out.append("option deadlock = false")
        return "\n".join(out) + "\n"


def spec_text(ch: Chooser, features: Features = Features()) -> str:
    return SpecGen(ch, features).spec()
