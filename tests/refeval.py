"""A second, deliberately simple reference semantics of the IR: a tree walk and a plain BFS.

The engines all execute the ground form (`mmspec.ground`), and their existing oracles
(`eval_gexpr`, checker.semantics) read that same form, so a mistake in grounding is invisible
to them. This module never touches it: values are plain Python data (an int for a scalar,
`Fn` for a map, `Rec` for a record, a frozenset for a set), every IR expression is
interpreted directly on them, Python ints are unbounded (nothing wraps except a `wrap` type),
and the state space is explored one state at a time, level by level.

Evaluation follows TLA+ as TLC runs it:
- `&&`, `||`, `=>` and `if/then/else` are lazy, left to right: a false guard protects the
  reads behind it; quantifiers stop at the first deciding element (in domain order), so a
  quantifier over an empty set evaluates nothing.
- Reading a map at a key outside its domain, and division or modulo by zero, are errors
  (`DomainError`); while a step is evaluated they are violations of kind `domain`.
- A functional update (`m with [k] = v`, `m'[k] = v`) at a key outside the domain leaves
  the map unchanged, as TLC's EXCEPT does (FcnRcdValue.takeExcept returns the function).
- A set literal with an element outside its element type is a `domain` error (mmspec's
  documented difference from TLA+: such a set cannot be represented); `x in s` for such an
  `x` is just false.
- An update that leaves a variable's declared range is a `range` violation; `wrap` types
  wrap.

Which violation a search reports at a given depth depends on an engine's exploration order,
so `bfs` returns every violation present at the shortest depth; an engine must report one of
them, with a trace of exactly that length that replays here (`replay`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterator, Union

from mmspec import ir


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Fn:
    """A map value: a function over a finite, ordered domain (it knows its domain)."""

    dom: tuple[int, ...]
    vals: tuple["Val", ...]

    def get(self, key: int, span: ir.Span) -> "Val":
        for k, v in zip(self.dom, self.vals):
            if k == key:
                return v
        raise DomainError(f"key {key} outside the domain {_show_dom(self.dom)}", key, span)


@dataclass(frozen=True)
class Rec:
    names: tuple[str, ...]
    vals: tuple["Val", ...]

    def get(self, name: str) -> "Val":
        return self.vals[self.names.index(name)]


class Sq:
    """A sequence value: its elements and the capacity of the sequence it was computed from
    (`append` past the capacity is a `domain` error, as mmspec bounds every sequence).
    Equality is TLA+'s: the elements only."""

    __slots__ = ("items", "cap")

    def __init__(self, items: tuple["Val", ...], cap: int):
        self.items, self.cap = tuple(items), cap

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sq) and self.items == other.items

    def __hash__(self) -> int:
        return hash(("Sq", self.items))

    def __repr__(self) -> str:
        return f"Sq({self.items!r}, cap={self.cap})"

    def get(self, i: int, span: ir.Span) -> "Val":
        if not 1 <= i <= len(self.items):
            raise DomainError(f"index {i} outside 1..{len(self.items)}", i, span)
        return self.items[i - 1]


Val = Union[int, Fn, Rec, frozenset, Sq]
State = tuple[Val, ...]  # one value per variable, in declaration order


class DomainError(Exception):
    """An out-of-domain read or a division/modulo by zero."""

    def __init__(self, message: str, value: int, span: ir.Span):
        super().__init__(message)
        self.value = value
        self.span = span


def _show_dom(dom: tuple[int, ...]) -> str:
    return f"{dom[0]}..{dom[-1]}" if dom else "{}"


def from_ir(t: ir.Type, v: ir.Value) -> Val:
    """An IR value (a literal or an initial value) as a reference value."""
    if isinstance(t, ir.MapType):
        keys = ir.domain_values(t.key)
        return Fn(keys, tuple(from_ir(t.value, x) for x in v))  # type: ignore[union-attr]
    if isinstance(t, ir.RecordType):
        return Rec(tuple(f for f, _ in t.fields),
                   tuple(from_ir(ft, x) for (_, ft), x in zip(t.fields, v)))  # type: ignore
    if isinstance(t, ir.SetType) and ir.is_product(t.elem):  # elements by their codes
        return frozenset(key_value(t.elem, int(x)) for x in v)  # type: ignore[union-attr]
    if isinstance(t, ir.SetType):
        return frozenset(int(x) for x in v)  # type: ignore[union-attr]
    if isinstance(t, ir.SeqType):
        return Sq(tuple(from_ir(t.elem, x) for x in v), t.cap)  # type: ignore[union-attr]
    return int(v)  # type: ignore[arg-type]


def key_value(t: ir.Type, k: int) -> "int | Rec":
    """The value a binder over type t takes for its k-th slot: k itself for a scalar type,
    the record numbered k for a product record type (see ir.record_code)."""
    if isinstance(t, ir.RecordType):
        return Rec(tuple(f for f, _ in t.fields), ir.record_decode(t, k))
    return k


def domain(t: ir.Type) -> list["int | Rec"]:
    return [key_value(t, k) for k in ir.domain_values(t)]


class _ShownRecord(dict):  # type: ignore[type-arg]
    """A record shown as a set element (hashable, equal to the engines' display)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def display(t: ir.Type, v: Val) -> Any:
    """A value as engines show it in traces: bools as bool, enum members by name, maps as
    dicts keyed by the shown key, records as dicts, sets as frozensets of shown elements."""
    if isinstance(t, ir.BoolType):
        return bool(v)
    if isinstance(t, ir.EnumType):
        return t.members[v]  # type: ignore[index]
    if isinstance(t, ir.IntType):
        return v
    if isinstance(t, ir.MapType):
        assert isinstance(v, Fn)
        return {display(t.key, k): display(t.value, x) for k, x in zip(v.dom, v.vals)}
    if isinstance(t, ir.RecordType):
        assert isinstance(v, Rec)
        return {f: display(ft, x) for (f, ft), x in zip(t.fields, v.vals)}
    if isinstance(t, ir.SetType) and isinstance(t.elem, ir.RecordType):
        assert isinstance(v, frozenset)
        return frozenset(_ShownRecord(display(t.elem, k)) for k in v)
    if isinstance(t, ir.SetType):
        assert isinstance(v, frozenset)
        return frozenset(display(t.elem, k) for k in v)
    if isinstance(t, ir.SeqType):
        assert isinstance(v, Sq)
        return [display(t.elem, x) for x in v.items]
    raise TypeError(t)


def _key_name(t: ir.Type, k: int) -> str:
    if isinstance(t, ir.EnumType):
        return t.members[k]
    if isinstance(t, ir.BoolType):
        return "TRUE" if k else "FALSE"
    return str(k)


# --------------------------------------------------------------------------- expressions

Env = dict[str, int]


class Evaluator:
    """Interprets IR expressions over a state. `peak` is the largest magnitude of any integer
    an operator produced, so tests can tell which specs need more than 64 bits."""

    def __init__(self, spec: ir.Spec):
        self.spec = spec
        self.pos = {v.name: i for i, v in enumerate(spec.variables)}
        self.peak = 0

    def truth(self, e: ir.Expr, s: State, env: Env) -> bool:
        return bool(self.value(e, s, env))

    def _int(self, v: int) -> int:
        if abs(v) > self.peak:
            self.peak = abs(v)
        return v

    def value(self, e: ir.Expr, s: State, env: Env) -> Val:  # noqa: C901 - one case per node
        if isinstance(e, ir.Lit):
            return from_ir(e.type, e.value)
        if isinstance(e, ir.VarRef):
            return s[self.pos[e.name]]
        if isinstance(e, ir.ParamRef):
            return env[e.name]
        if isinstance(e, ir.Index):
            base = self.value(e.base, s, env)
            key = self.value(e.index, s, env)
            assert isinstance(base, (Fn, Sq)) and isinstance(key, int), e
            return base.get(key, e.span)
        if isinstance(e, ir.Choose):  # TLC's CHOOSE: the first in the domain's order
            within = self.value(e.within, s, env) if e.within is not None else None
            for k in domain(e.domain):
                if (within is None or k in within) and self.truth(  # type: ignore[operator]
                        e.cond, s, {**env, e.var: k}):  # type: ignore[dict-item]
                    return k
            raise DomainError("choose: no value satisfies the condition", 0, e.span)
        if isinstance(e, ir.SeqLit):
            return Sq(tuple(self.value(x, s, env) for x in e.elems), e.type.cap)
        if isinstance(e, ir.SubSeq):
            q = self._seq(e.base, s, env)
            m, n = self._scalar(e.lo, s, env), self._scalar(e.hi, s, env)
            if m > n:
                return Sq((), q.cap)
            if m < 1 or n > len(q.items):
                raise DomainError(f"subseq {m}..{n} of a sequence of {len(q.items)}", m,
                                  e.span)
            return Sq(q.items[m - 1:n], q.cap)
        if isinstance(e, ir.Field):
            base = self.value(e.base, s, env)
            assert isinstance(base, Rec), e
            return base.get(e.name)
        if isinstance(e, ir.Ite):
            branch = e.then if self.truth(e.cond, s, env) else e.other
            return self.value(branch, s, env)
        if isinstance(e, ir.Unary):
            return self._unary(e, s, env)
        if isinstance(e, ir.Binary):
            return self._binary(e, s, env)
        if isinstance(e, ir.Quant):
            return self._quant(e, s, env)
        if isinstance(e, ir.SetLit):
            return frozenset(self._element(x, e.elem_type, s, env) for x in e.elems)
        if isinstance(e, ir.SetComp):
            return frozenset(k for k in domain(e.domain)
                             if self.truth(e.cond, s, {**env, e.var: k}))  # type: ignore
        if isinstance(e, ir.MapLit):
            keys = ir.domain_values(e.key_type)
            return Fn(keys, tuple(self.value(e.body, s, {**env, e.var: k}) for k in keys))
        if isinstance(e, ir.RecordLit):
            return Rec(tuple(f for f, _ in e.type.fields),
                       tuple(self.value(x, s, env) for x in e.values))
        if isinstance(e, ir.Except):
            base = self.value(e.base, s, env)
            path = self.path(e.path, s, env)
            return put(base, path, self.value(e.value, s, env))
        raise TypeError(f"unknown expression {e!r}")

    def _seq(self, e: ir.Expr, s: State, env: Env) -> Sq:
        v = self.value(e, s, env)
        assert isinstance(v, Sq), e
        return v

    def _scalar(self, e: ir.Expr, s: State, env: Env) -> int:
        v = self.value(e, s, env)
        assert isinstance(v, int), e
        return v

    def _element(self, e: ir.Expr, t: ir.Type, s: State, env: Env) -> "int | Rec":
        """A set literal's element: mmspec's sets hold only values of their element type, so
        building one with another value is the error (TLA+ would build the set)."""
        if isinstance(t, ir.RecordType):
            r = self.value(e, s, env)
            assert isinstance(r, Rec)
            for (_, ft), x in zip(t.fields, r.vals):
                if x not in ir.domain_values(ft):
                    raise DomainError(f"field {x} outside the element type", x, e.span)
            return r
        v = self._scalar(e, s, env)
        if v not in ir.domain_values(t):
            raise DomainError(f"element {v} outside the element type", v, e.span)
        return v

    def path(self, path: tuple, s: State, env: Env) -> tuple[int | str, ...]:
        return tuple(p if isinstance(p, str) else self._scalar(p, s, env) for p in path)

    def _unary(self, e: ir.Unary, s: State, env: Env) -> Val:
        if e.op == "not":
            return int(not self.truth(e.arg, s, env))
        if e.op == "neg":
            return self._int(-self._scalar(e.arg, s, env))
        if e.op == "bnot":  # two's complement on unbounded ints: ~x == -x - 1
            return self._int(-self._scalar(e.arg, s, env) - 1)
        if e.op == "card":
            v = self.value(e.arg, s, env)
            assert isinstance(v, frozenset)
            return len(v)
        if e.op in ("len", "head", "tail"):
            q = self._seq(e.arg, s, env)
            if e.op == "len":
                return len(q.items)
            if not q.items:
                raise DomainError(f"{e.op} of an empty sequence", 0, e.span)
            return q.items[0] if e.op == "head" else Sq(q.items[1:], q.cap)
        raise TypeError(f"unknown unary op {e.op}")

    def _binary(self, e: ir.Binary, s: State, env: Env) -> Val:  # noqa: C901
        op = e.op
        if op == "and":
            return int(self.truth(e.left, s, env) and self.truth(e.right, s, env))
        if op == "or":
            return int(self.truth(e.left, s, env) or self.truth(e.right, s, env))
        if op == "implies":
            return int((not self.truth(e.left, s, env)) or self.truth(e.right, s, env))
        a = self.value(e.left, s, env)
        b = self.value(e.right, s, env)
        if op in ("append", "concat"):
            assert isinstance(a, Sq)
            items = a.items + ((b,) if op == "append" else b.items)  # type: ignore[union-attr]
            if len(items) > a.cap:
                raise DomainError(f"{op} past the capacity {a.cap}", len(a.items), e.span)
            return Sq(items, a.cap)
        if op == "iff":
            return int(bool(a) == bool(b))
        if op == "eq":
            return int(a == b)
        if op == "ne":
            return int(a != b)
        if op in ("in", "subseteq", "union", "inter", "minus"):
            assert isinstance(b, frozenset)
            if op == "in":
                return int(a in b)
            assert isinstance(a, frozenset)
            if op == "subseteq":
                return int(a <= b)
            return a | b if op == "union" else a & b if op == "inter" else a - b
        assert isinstance(a, int) and isinstance(b, int), e
        if op in ("lt", "le", "gt", "ge"):
            return int(a < b if op == "lt" else a <= b if op == "le" else
                       a > b if op == "gt" else a >= b)
        if op in ("div", "mod"):
            if b == 0:
                raise DomainError(f"{'division' if op == 'div' else 'modulo'} by zero", b,
                                  e.span)  # the offending value: the zero divisor
            return self._int(a // b if op == "div" else a % b)  # floor, as in TLA+
        if op in ("shl", "shr"):  # C leaves other counts undefined: a domain error here
            if not 0 <= b <= ir.MAX_SHIFT:
                raise DomainError(f"shift count {b} outside 0..{ir.MAX_SHIFT}", b, e.span)
            # written as arithmetic, not with Python's shift operators (an independent form)
            return self._int(a * 2 ** b if op == "shl" else a // 2 ** b)
        ops = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
               "min": lambda: min(a, b), "max": lambda: max(a, b),
               "band": lambda: _bitwise(a, b, lambda x, y: x & y),
               "bor": lambda: _bitwise(a, b, lambda x, y: x | y),
               "bxor": lambda: _bitwise(a, b, lambda x, y: x ^ y)}
        if op in ops:
            return self._int(ops[op]())
        raise TypeError(f"unknown binary op {op}")

    def _quant(self, e: ir.Quant, s: State, env: Env) -> int:
        keys: Iterator = iter(domain(e.domain))
        if e.within is not None:
            within = self.value(e.within, s, env)
            assert isinstance(within, frozenset)
            keys = (k for k in domain(e.domain) if k in within)
        want = e.kind == "exists"  # the value that decides the quantifier
        for k in keys:
            if self.truth(e.body, s, {**env, e.var: k}) == want:
                return int(want)
        return int(not want)


def _bitwise(a: int, b: int, bit: Any) -> int:
    """a OP b computed bit by bit on 70-bit two's complement (every value here is within
    +-2^62, so the top bit is the sign): an independent check of Python's & | ^."""
    n = 70
    ua, ub = a % (1 << n), b % (1 << n)
    out = sum(bit(ua // 2 ** i % 2, ub // 2 ** i % 2) * 2 ** i for i in range(n))
    return out - 2 ** n if out >= 2 ** (n - 1) else out


def put(v: Val, path: tuple[int | str, ...], new: Val) -> Val:
    """v with the value at path replaced; a key outside a map's domain changes nothing."""
    if not path:
        return new
    step, rest = path[0], path[1:]
    if isinstance(v, Sq):  # outside 1..len nothing changes (TLC's EXCEPT)
        assert isinstance(step, int)
        if not 1 <= step <= len(v.items):
            return v
        i = step - 1
        return Sq(v.items[:i] + (put(v.items[i], rest, new),) + v.items[i + 1:], v.cap)
    if isinstance(step, str):
        assert isinstance(v, Rec)
        i = v.names.index(step)
        return Rec(v.names, v.vals[:i] + (put(v.vals[i], rest, new),) + v.vals[i + 1:])
    assert isinstance(v, Fn)
    if step not in v.dom:
        return v
    i = v.dom.index(step)
    return Fn(v.dom, v.vals[:i] + (put(v.vals[i], rest, new),) + v.vals[i + 1:])


# --------------------------------------------------------------------------- steps

Key = tuple[str, str]  # (kind, property) of a violation


@dataclass(frozen=True)
class Violation:
    kind: str
    prop: str  # invariant name, check message, slot name, "deadlock"; domain: where
    value: int | None = None  # the offending value (range, domain)
    in_invariant: bool = False  # found evaluating an invariant (invariant or domain)

    @property
    def key(self) -> Key:
        return (self.kind, self.prop)


@dataclass
class Outcome:
    """What evaluating one step (a transition under one binding) in a state gives."""

    enabled: bool
    successor: State | None
    violations: list[Violation]


class RangeViolation(Exception):
    def __init__(self, slot: str, value: int):
        super().__init__(slot, value)
        self.slot = slot
        self.value = value


def fit(t: ir.Type, v: Val, name: str) -> Val:
    """v checked against its declared type (wrap types wrapped); RangeViolation otherwise.
    `name` follows the engines' slot names: `m[2].f`, `s∋1`, enum keys by member name."""
    if isinstance(t, ir.IntType):
        assert isinstance(v, int)
        if t.wrap:
            return t.lo + (v - t.lo) % (t.hi - t.lo + 1)
        if not t.lo <= v <= t.hi or (t.values is not None and v not in t.values):
            raise RangeViolation(name, v)
        return v
    if isinstance(t, (ir.BoolType, ir.EnumType)):
        return v
    if isinstance(t, ir.MapType):
        assert isinstance(v, Fn)
        return Fn(v.dom, tuple(fit(t.value, x, f"{name}[{_key_name(t.key, k)}]")
                               for k, x in zip(v.dom, v.vals)))
    if isinstance(t, ir.RecordType):
        assert isinstance(v, Rec)
        return Rec(v.names, tuple(fit(ft, x, f"{name}.{f}")
                                  for (f, ft), x in zip(t.fields, v.vals)))
    if isinstance(t, ir.SetType) and isinstance(t.elem, ir.RecordType):
        return v  # built only from checked elements (`_element`)
    if isinstance(t, ir.SetType):
        assert isinstance(v, frozenset)
        dom = ir.domain_values(t.elem)
        for k in sorted(v):
            if k not in dom:
                raise RangeViolation(f"{name}∋{k}", k)
        return v
    if isinstance(t, ir.SeqType):
        assert isinstance(v, Sq)
        if len(v.items) > t.cap:  # a longer value stored in a shorter sequence
            raise DomainError(f"{len(v.items)} elements in a {name} of at most {t.cap}",
                              len(v.items), ir.NO_SPAN)
        return Sq(tuple(fit(t.elem, x, f"{name}[{i}]") for i, x in enumerate(v.items, 1)),
                  t.cap)
    raise TypeError(t)


def _target(u: ir.Update) -> tuple[str, tuple]:
    path: list = []
    t = u.target
    while not isinstance(t, ir.VarRef):
        if isinstance(t, ir.Index):
            path.append(t.index)
            t = t.base
        elif isinstance(t, ir.Field):
            path.append(t.name)
            t = t.base
        else:
            raise TypeError(f"cannot assign to {t!r}")
    return t.name, tuple(reversed(path))


class Model:
    """The transition system of a spec, evaluated by `Evaluator`."""

    def __init__(self, spec: ir.Spec, deadlock: bool | None = None):
        self.spec = spec
        self.ev = Evaluator(spec)
        self.check_deadlock = spec.check_deadlock if deadlock is None else deadlock
        self.steps = [(t, dict(zip([p.name for p in t.params], b)))
                      for t in spec.transitions
                      for b in itertools.product(*[domain(p.type) for p in t.params])]

    def initial(self) -> list[State]:
        """Every initial state (one per combination of allowed initial values), deduplicated."""
        vs = self.spec.variables
        out = dict.fromkeys(tuple(from_ir(v.type, x) for v, x in zip(vs, combo))
                            for combo in itertools.product(*[v.init for v in vs]))
        return list(out)

    def show(self, s: State) -> dict[str, Any]:
        return {v.name: display(v.type, x) for v, x in zip(self.spec.variables, s)}

    def invariant_violations(self, s: State) -> list[Violation]:
        out = []
        for inv in self.spec.invariants:
            try:
                ok = self.ev.truth(inv.expr, s, {})
            except DomainError as e:
                out.append(Violation("domain", inv.name, e.value, in_invariant=True))
                continue
            if not ok:
                out.append(Violation("invariant", inv.name, in_invariant=True))
        return out

    def step(self, t: ir.Transition, env: Env, s: State) -> Outcome:
        """Evaluate one step: 'reach' checks when `at` holds, the guard, and when it holds the
        'fire' checks and the simultaneous updates (each error is its own violation)."""
        ev, bad = self.ev, []
        if any(c.when == "reach" for c in t.checks):
            try:
                at = ev.truth(t.at if t.at is not None else t.guard, s, env)
            except DomainError as e:
                at = False
                bad.append(Violation("domain", t.name, e.value))
            if at:
                bad += self._checks(t, "reach", env, s)
        try:
            enabled = ev.truth(t.guard, s, env)
        except DomainError as e:
            return Outcome(False, None, bad + [Violation("domain", t.name, e.value)])
        if not enabled:
            return Outcome(False, None, bad)
        bad += self._checks(t, "fire", env, s)
        succ = self._successor(t, env, s, bad)
        return Outcome(True, succ, bad)

    def _checks(self, t: ir.Transition, when: str, env: Env, s: State) -> list[Violation]:
        out = []
        for c in t.checks:
            if c.when != when:
                continue
            try:
                if not self.ev.truth(c.cond, s, env):
                    out.append(Violation(c.kind, c.message))
            except DomainError as e:
                out.append(Violation("domain", t.name, e.value))
        return out

    def _successor(self, t: ir.Transition, env: Env, s: State,
                   bad: list[Violation]) -> State | None:
        ev = self.ev
        writes = []
        for u in t.updates:  # every path and value reads the pre-state
            var, path = _target(u)
            try:
                writes.append((var, ev.path(path, s, env), ev.value(u.value, s, env)))
            except DomainError as e:
                bad.append(Violation("domain", t.name, e.value))
        if len(writes) < len(t.updates):
            return None
        new = list(s)
        touched = []
        for var, path, val in writes:  # updates of one variable accumulate
            i = ev.pos[var]
            new[i] = put(new[i], path, val)
            touched.append(i)
        ok = True
        for i in sorted(set(touched)):
            v = self.spec.variables[i]
            try:
                new[i] = fit(v.type, new[i], v.name)
            except DomainError as e:
                bad.append(Violation("domain", t.name, e.value))
                ok = False
            except RangeViolation as e:
                bad.append(Violation("range", e.slot, e.value))
                ok = False
                for rest in self._all_range_errors(v, new[i]):
                    if rest.key != ("range", e.slot):
                        bad.append(rest)
        return tuple(new) if ok else None

    def _all_range_errors(self, v: ir.Variable, value: Val) -> list[Violation]:
        """Every out-of-range leaf of a value (an engine may report any of them)."""
        out = []

        def walk(t: ir.Type, x: Val, name: str) -> None:
            if isinstance(t, ir.MapType):
                assert isinstance(x, Fn)
                for k, y in zip(x.dom, x.vals):
                    walk(t.value, y, f"{name}[{_key_name(t.key, k)}]")
            elif isinstance(t, ir.RecordType):
                assert isinstance(x, Rec)
                for (f, ft), y in zip(t.fields, x.vals):
                    walk(ft, y, f"{name}.{f}")
            else:
                try:
                    fit(t, x, name)
                except RangeViolation as e:
                    out.append(Violation("range", e.slot, e.value))
        walk(v.type, value, v.name)
        return out

    def expand(self, s: State) -> tuple[list[tuple[int, State]], list[Violation]]:
        """Successors (step index, state) of s and every violation met expanding it."""
        succs, bad = [], []
        enabled = False
        for i, (t, env) in enumerate(self.steps):
            o = self.step(t, env, s)
            bad += o.violations
            enabled = enabled or o.enabled
            if o.successor is not None:
                succs.append((i, o.successor))
        if self.check_deadlock and not enabled and not any(v.kind == "domain" for v in bad):
            final = self.spec.final is not None and self.ev.truth(self.spec.final, s, {})
            if not final:
                bad.append(Violation("deadlock", "deadlock"))
        return succs, bad


# --------------------------------------------------------------------------- search


@dataclass
class RefResult:
    """What the BFS found.

    complete: every reachable state was explored (no violation, no limit).
    violation_depth: the shortest depth of a state where some violation shows, or None.
    found: every violation at that depth; `invariant_first` says evaluating an invariant
    fails (false, or a domain error) in a state at that depth: invariants are checked before
    a level is expanded, so an engine must report one of those. trace: a shortest path to
    one violating state.
    """

    complete: bool
    distinct: int
    depth: int
    violation_depth: int | None = None
    found: list[Violation] = field(default_factory=list)
    invariant_first: bool = False
    trace: list[State] = field(default_factory=list)
    peak: int = 0
    limited: bool = False  # stopped by max_states / max_depth

    @property
    def allowed(self) -> set[Key]:
        """(kind, property) an engine may report at violation_depth."""
        return {v.key for v in self.first}

    @property
    def first(self) -> list[Violation]:
        """The violations an engine may report at violation_depth."""
        if self.invariant_first:
            return [v for v in self.found if v.in_invariant]
        return self.found

    @property
    def kinds(self) -> set[str]:
        return {k for k, _ in self.allowed}


def bfs(model: Model, max_states: int | None = None, max_depth: int | None = None) -> RefResult:
    parent: dict[State, State | None] = {}
    level = []
    for s in model.initial():
        if s not in parent:
            parent[s] = None
            level.append(s)
    depth = 0

    def path_to(s: State) -> list[State]:
        out = [s]
        while parent[out[-1]] is not None:
            out.append(parent[out[-1]])  # type: ignore[arg-type]
        return out[::-1]

    while level:
        inv = [(s, v) for s in level for v in model.invariant_violations(s)]
        exp = {s: model.expand(s) for s in level}
        bad = [(s, v) for s in level for v in exp[s][1]]
        if inv or bad:
            first = (inv or bad)[0][0]
            found = [v for _, v in inv] + [v for _, v in bad]
            return RefResult(False, len(parent), depth, depth, found,
                             invariant_first=bool(inv),
                             trace=path_to(first), peak=model.ev.peak)
        if max_depth is not None and depth >= max_depth:
            return RefResult(False, len(parent), depth, peak=model.ev.peak, limited=True)
        nxt = []
        for s in level:
            for _, n in exp[s][0]:
                if n not in parent:
                    parent[n] = s
                    nxt.append(n)
                    if max_states is not None and len(parent) > max_states:
                        return RefResult(False, len(parent), depth, peak=model.ev.peak,
                                         limited=True)
        if nxt:
            depth += 1
        level = nxt
    return RefResult(True, len(parent), depth, peak=model.ev.peak)


# --------------------------------------------------------------------------- traces


class ReplayError(AssertionError):
    pass


def replay(model: Model, steps: list[tuple[dict[str, Any], str | None, dict[str, int]]]
           ) -> list[State]:
    """The reference states of an engine's trace, given as (shown state, IR transition name,
    binding) per step: the first is an initial state, each next one the named step's
    successor. ReplayError when the trace is not an execution of the spec."""
    inits = [s for s in model.initial() if model.show(s) == steps[0][0]]
    if not inits:
        raise ReplayError(f"step 0 is not an initial state: {steps[0][0]}")
    states = [inits[0]]
    for i, (shown, action, binding) in enumerate(steps[1:], 1):
        ts = [t for t in model.spec.transitions if t.name == action]
        if len(ts) != 1:
            raise ReplayError(f"step {i}: no single transition named {action!r}")
        b = dict(binding)
        env = {p.name: key_value(p.type, b[p.name]) if p.name in b else b.get(p.name)
               for p in ts[0].params}
        env = {k: v for k, v in env.items() if v is not None}
        o = model.step(ts[0], env, states[-1])
        if not o.enabled or o.successor is None:
            raise ReplayError(f"step {i}: {action}{binding} cannot fire here")
        if model.show(o.successor) != shown:
            raise ReplayError(f"step {i}: {action}{binding} leads to "
                              f"{model.show(o.successor)}, the trace shows {shown}")
        states.append(o.successor)
    return states


def violations_at(model: Model, s: State) -> list[Violation]:
    return model.invariant_violations(s) + model.expand(s)[1]
