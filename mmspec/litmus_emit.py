"""Writing a parsed litmus test (`mmspec.litmus.Test`) as an `.mms` spec.

The translation, construct by construct (docs/cli.md, "mmspec litmus"):

- every shared location (init block, thread parameters) is a non-ghost `var` over one small
  value type; a spinlock is a `spinlock`; a location's address is a small integer (1, 2, ...
  in order of declaration) so pointer-valued locations and registers hold integers too;
- every thread `Pn` is `process Pn`, its registers are process locals (0 initially, as in
  herd), each primitive is the .mms primitive of the same name on the location;
- a C expression that reads memory (`*x`, or a primitive used inside an expression) is
  split: the read goes first, into a fresh register, as its own step, as the compiled code
  would; a plain `*x` read or `*x = e` store is a plain access;
- `if (c)` is an .mms `if` (its test is part of the branch's first step, so a store under it
  depends on the load that fed `c`: the control dependency);
- an access through a pointer register (`READ_ONCE(*r0)`) is an `if` over the locations the
  register can name, one branch per location (so the address dependency becomes a control
  dependency: LIMITATION, stronger than LKMM only where the model orders control
  dependencies to loads, which LKMM does not);
- the final condition becomes an invariant over the final state: `exists C` gives
  `invariant no_exists: !(P0@done && ... && C)`, `forall C` gives
  `invariant forall_holds: (P0@done && ...) => C`; a `filter F` joins the guard;
  LKMM's stated result becomes the expectation (Sometimes: the invariant is violated).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from mmspec.ir import Span
from mmspec.litmus_ast import (
    E_DUP, E_NOPRIM, E_NOTHERE, E_TYPE, E_UNKNOWN, Assign, Binary, Call, Cond, CondAtom,
    CondBool, CondNot, CondOp, Decl, Expr, ExprStmt, If, InitLoc, InitReg, LitmusError, Name,
    Num, Stmt, Test, Thread, Unary,
)
from mmspec.litmus_prims import (ATOMIC_OPS, ATOMICS_MISSING, GRACE_PERIODS, PRIMITIVES,
                                  LocKind, Prim)


@dataclass
class Loc:
    name: str
    kind: LocKind
    addr: int
    init: int | str | None = None


@dataclass
class Reg:
    name: str
    pointer: bool = False
    boolean: bool = False


@dataclass
class _Thread:
    """What one thread's translation needs: its locations, registers and output lines."""
    index: int
    params: dict[str, Loc]
    regs: dict[str, Reg] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


Value = tuple[str, Literal["int", "bool"]]


class _Emitter:
    def __init__(self, test: Test):
        self.test = test
        self.locs: dict[str, Loc] = {}
        self.addressed: set[str] = set()  # locations whose address is a value somewhere
        self.temp_count = 0
        self.taken: set[str] = set()
        self.literals: set[int] = {0, 1}
        self.growth = 0  # how far increments may carry a value past the literals
        self.shrink = 0

    # -- locations
    def declare(self, name: str, kind: LocKind, span: Span, init: int | str | None = None
                ) -> Loc:
        loc = self.locs.get(name)
        if loc is None:
            addr = 0 if kind == "lock" else 1 + sum(1 for l in self.locs.values()
                                                    if l.kind != "lock")
            loc = Loc(name, kind, addr, init)
            self.locs[name] = loc
        elif loc.kind != kind and {loc.kind, kind} != {"int", "atomic"}:
            raise LitmusError(E_DUP, f"location '{name}' is declared both as {loc.kind} and "
                              f"as {kind}", span)
        elif kind == "atomic":
            loc.kind = "atomic"
        if init is not None:
            loc.init = init
        return loc

    def collect_locations(self) -> None:
        for item in self.test.init:
            if isinstance(item, InitLoc):
                kind: LocKind = ("lock" if item.ctype == "spinlock_t" else
                                 "atomic" if item.ctype == "atomic_t" else
                                 "ptr" if item.pointer else "int")
                self.declare(item.name, kind, item.span, item.value)
                if isinstance(item.value, str):
                    self.addressed.add(item.value)
                elif isinstance(item.value, int):
                    self.literals.add(item.value)
        for th in self.test.threads:
            for p in th.params:
                kind = ("lock" if p.ctype == "spinlock_t" else
                        "atomic" if p.ctype == "atomic_t" else
                        "ptr" if p.stars == 2 else "int")
                if p.ctype != "int" and p.stars != 1:
                    raise LitmusError(E_TYPE, f"'{p.ctype}' parameters are written "
                                      f"'{p.ctype} *{p.name}'", p.span)
                self.declare(p.name, kind, p.span)
        for item in self.test.init:
            if isinstance(item, InitLoc) and isinstance(item.value, str):
                target = self.locs.get(item.value)
                if target is None or target.kind == "lock":
                    raise LitmusError(E_UNKNOWN, f"'{item.value}' is not a location whose "
                                      "address can be taken", item.span)
                if not item.pointer and self.locs[item.name].kind != "ptr":
                    self.locs[item.name].kind = "ptr"

    # -- fresh names
    def fresh(self, stem: str) -> str:
        while True:
            self.temp_count += 1
            name = f"{stem}{self.temp_count}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    # -- threads
    def thread(self, th: Thread) -> _Thread:
        params = {}
        for p in th.params:
            if p.name in params:
                raise LitmusError(E_DUP, f"parameter '{p.name}' declared twice", p.span)
            params[p.name] = self.locs[p.name]
        t = _Thread(th.index, params)
        self.body(t, th.body, 1)
        return t

    def body(self, t: _Thread, stmts: tuple[Stmt, ...], depth: int) -> None:
        for s in stmts:
            self.stmt(t, s, depth)

    def emit(self, t: _Thread, depth: int, text: str) -> None:
        t.lines.append("    " * depth + text)

    def stmt(self, t: _Thread, s: Stmt, depth: int) -> None:
        if isinstance(s, Decl):
            if s.ctype != "int":
                raise LitmusError(E_TYPE, f"a '{s.ctype}' register is not modelled", s.span)
            if s.name in t.regs or s.name in t.params:
                raise LitmusError(E_DUP, f"'{s.name}' declared twice in P{t.index}", s.span)
            t.regs[s.name] = Reg(s.name, pointer=s.pointer)
            if s.init is not None:
                self.assign(t, Name(s.name, s.span), s.init, depth, s.span)
        elif isinstance(s, If):
            cond = self.as_bool(self.value(t, s.cond, depth))
            self.emit(t, depth, f"if {cond} {{")
            self.body(t, s.then, depth + 1)
            if s.orelse:
                self.emit(t, depth, "} else {")
                self.body(t, s.orelse, depth + 1)
            self.emit(t, depth, "}")
        else:
            self.expr_stmt(t, s.expr, depth)

    def expr_stmt(self, t: _Thread, e: Expr, depth: int) -> None:
        if isinstance(e, Assign):
            self.assign(t, e.target, e.value, depth, e.span)
        elif isinstance(e, Unary) and e.op == "void":
            self.expr_stmt(t, e.arg, depth)
        elif isinstance(e, Call):
            prim = self.prim(e)
            if prim is not None and prim.returns:
                self.call_into(t, self.temp_reg(t, prim.kind in ("trylock", "islocked")),
                               e, depth)
            else:
                self.call_stmt(t, e, depth)
        else:
            raise LitmusError(E_NOTHERE, "a statement must assign or call a primitive",
                              e.span)

    # -- assignments
    def assign(self, t: _Thread, target: Expr, value: Expr, depth: int, span: Span) -> None:
        if isinstance(target, Name):
            reg = t.regs.get(target.name)
            if reg is None:
                if target.name in t.params:
                    raise LitmusError(E_NOTHERE, f"'{target.name}' is a location: store to "
                                      f"it with WRITE_ONCE(*{target.name}, ...) or "
                                      f"*{target.name} = ...", target.span)
                raise LitmusError(E_UNKNOWN, f"unknown register '{target.name}' in "
                                  f"P{t.index}", target.span, expected="a register declared "
                                  "with 'int NAME;' at the top of the thread")
            if isinstance(value, Call) and (p := self.prim(value)) is not None and p.returns:
                self.call_into(t, reg.name, value, depth)
                return
            v = self.as_int(self.value(t, value, depth))
            self.emit(t, depth, f"{reg.name} := {v}")
            return
        assert isinstance(target, Unary) and target.op == "*"
        v = self.as_int(self.value(t, value, depth))
        self.at_location(t, target.arg, depth, ("int", "ptr"),
                         lambda loc, d: self.emit(t, d, f"{loc.name} := {v}"))

    # -- values (reads are split off into registers first)
    def value(self, t: _Thread, e: Expr, depth: int) -> Value:
        if isinstance(e, Num):
            self.literals.add(e.value)
            return (str(e.value) if e.value >= 0 else f"(0 - {-e.value})", "int")
        if isinstance(e, Name):
            reg = t.regs.get(e.name)
            if reg is not None:
                return (reg.name, "bool" if reg.boolean else "int")
            loc = t.params.get(e.name)
            if loc is not None and loc.kind != "lock":
                self.addressed.add(loc.name)
                return (str(loc.addr), "int")  # a location used as a value: its address
            raise LitmusError(E_UNKNOWN, f"unknown name '{e.name}' in P{t.index}", e.span,
                              expected="a register or a parameter of the thread")
        if isinstance(e, Unary):
            if e.op == "*":
                tmp = self.temp_reg(t, False)
                self.at_location(t, e.arg, depth, ("int", "ptr"),
                                 lambda loc, d: self.emit(t, d, f"{tmp} := {loc.name}"))
                return (tmp, "int")
            if e.op == "&":
                if isinstance(e.arg, Name) and e.arg.name in t.params:
                    return self.value(t, e.arg, depth)
                raise LitmusError(E_NOTHERE, "'&' applies to a location parameter", e.span)
            if e.op == "!":
                return (f"!({self.as_bool(self.value(t, e.arg, depth))})", "bool")
            if e.op == "-":
                return (f"(0 - {self.as_int(self.value(t, e.arg, depth))})", "int")
            raise LitmusError(E_NOTHERE, "a '(void)' cast applies to a whole statement",
                              e.span)
        if isinstance(e, Binary):
            left = self.value(t, e.left, depth)
            right = self.value(t, e.right, depth)
            if e.op in ("&&", "||"):
                return (f"({self.as_bool(left)} {e.op} {self.as_bool(right)})", "bool")
            if e.op in ("==", "!="):
                if left[1] == right[1]:
                    return (f"({left[0]} {e.op} {right[0]})", "bool")
                return (f"({self.as_int(left)} {e.op} {self.as_int(right)})", "bool")
            if e.op in ("<", "<=", ">", ">="):
                return (f"({self.as_int(left)} {e.op} {self.as_int(right)})", "bool")
            if e.op in ("+", "-"):
                self.growth += max(self.literals)
            elif e.op == "*":
                raise LitmusError(E_NOTHERE, "multiplication is not supported in thread "
                                  "code (values must stay in a small range)", e.span)
            return (f"({self.as_int(left)} {e.op} {self.as_int(right)})", "int")
        if isinstance(e, Call):
            prim = self.prim(e)
            if prim is None or not prim.returns:
                raise LitmusError(E_NOTHERE, f"'{e.func}' returns no value", e.span)
            boolean = prim.kind in ("trylock", "islocked")
            out = self.temp_reg(t, boolean)
            self.call_into(t, out, e, depth)
            return (out, "bool" if boolean else "int")
        raise LitmusError(E_NOTHERE, "an assignment inside an expression is not supported",
                          e.span)

    @staticmethod
    def as_bool(v: Value) -> str:
        return v[0] if v[1] == "bool" else f"({v[0]} != 0)"

    @staticmethod
    def as_int(v: Value) -> str:
        return v[0] if v[1] == "int" else f"(if {v[0]} then 1 else 0)"

    def temp_reg(self, t: _Thread, boolean: bool) -> str:
        name = self.fresh("tmp")
        t.regs[name] = Reg(name, boolean=boolean)
        return name

    # -- primitives
    def prim(self, c: Call) -> Prim | None:
        if c.func in ATOMIC_OPS:
            raise LitmusError(E_NOPRIM, f"'{c.func}' has no mmspec counterpart yet",
                              c.span, notes=(f"missing: {ATOMICS_MISSING}",))
        p = PRIMITIVES.get(c.func)
        if p is None:
            raise LitmusError(E_NOPRIM, f"'{c.func}' has no mmspec counterpart", c.span,
                              notes=("supported: " + ", ".join(sorted(PRIMITIVES)),))
        if p.missing is not None:
            raise LitmusError(E_NOPRIM, f"'{c.func}' has no mmspec counterpart yet", c.span,
                              notes=(f"missing: {p.missing}",))
        nlocs = 0 if p.kind in ("fence", "rcu", "rscs") else 1
        if len(c.args) != nlocs + p.values:
            raise LitmusError(E_NOTHERE, f"'{c.func}' takes {nlocs + p.values} "
                              f"argument{'s' if nlocs + p.values != 1 else ''}, "
                              f"not {len(c.args)}", c.span)
        return p

    def loc_arg(self, c: Call, p: Prim) -> Expr:
        """The pointer expression naming the location `c` acts on."""
        arg = c.args[0]
        if p.form == "lvalue":
            if not (isinstance(arg, Unary) and arg.op == "*"):
                raise LitmusError(E_NOTHERE, f"{c.func} takes a location: {c.func}(*x, ...)",
                                  arg.span)
            return arg.arg
        return arg

    def call_into(self, t: _Thread, reg: str, c: Call, depth: int) -> None:
        """`reg := PRIM(loc, values...)` for a value-returning primitive."""
        p = self.prim(c)
        assert p is not None and p.returns
        vals = [self.as_int(self.value(t, a, depth)) for a in c.args[1:]]
        boolean = t.regs[reg].boolean
        if p.kind == "islocked":
            lock = self.lock_of(t, c)
            text = f"locked({lock})"
            self.emit(t, depth, f"{reg} := {text if boolean else f'(if {text} then 1 else 0)'}")
            return
        if p.kind == "trylock":
            lock = self.lock_of(t, c)
            if boolean:
                self.emit(t, depth, f"{reg} := spin_trylock({lock})")
            else:  # a C int: the trylock's bool, then 0/1 in the register (a local step)
                ok = self.temp_reg(t, True)
                self.emit(t, depth, f"{ok} := spin_trylock({lock})")
                self.emit(t, depth, f"{reg} := if {ok} then 1 else 0")
            return
        args = "".join(", " + v for v in vals)
        self.at_location(t, self.loc_arg(c, p), depth, ("int", "ptr"),
                         lambda loc, d: self.emit(t, d, f"{reg} := {c.func}({loc.name}{args})"))

    def call_stmt(self, t: _Thread, c: Call, depth: int) -> None:
        p = self.prim(c)
        assert p is not None
        if p.kind == "rscs":
            if self.grace_periods:
                raise LitmusError(E_NOPRIM, f"'{c.func}' has no mmspec counterpart yet",
                                  c.span, notes=("missing: RCU read-side critical sections "
                                                 "ordered against grace periods",))
            self.emit(t, depth, f"// {c.func}(): no grace period in this test, so it "
                      "orders nothing in LKMM")
            return
        if p.kind in ("fence", "rcu"):
            self.emit(t, depth, f"{c.func}()")
            return
        if p.kind == "lock":
            self.emit(t, depth, f"{c.func}({self.lock_of(t, c)})")
            return
        vals = [self.as_int(self.value(t, a, depth)) for a in c.args[1:]]
        args = "".join(", " + v for v in vals)
        self.at_location(t, self.loc_arg(c, p), depth, ("int", "ptr"),
                         lambda loc, d: self.emit(t, d, f"{c.func}({loc.name}{args})"))

    def lock_of(self, t: _Thread, c: Call) -> str:
        arg = c.args[0]
        if isinstance(arg, Name) and arg.name in t.params \
                and t.params[arg.name].kind == "lock":
            return arg.name
        raise LitmusError(E_NOTHERE, f"{c.func} takes a spinlock parameter", arg.span)

    # -- locations named by pointer expressions
    def at_location(self, t: _Thread, ptr: Expr, depth: int, kinds: tuple[LocKind, ...],
                    emit_at: Callable[[Loc, int], None]) -> None:
        """Emits an access to the location `ptr` names: directly for a parameter, through an
        `if` over the candidate locations for a pointer register."""
        if isinstance(ptr, Name) and ptr.name in t.params:
            loc = t.params[ptr.name]
            if loc.kind not in kinds and not (loc.kind == "atomic" and "int" in kinds):
                raise LitmusError(E_TYPE, f"'{ptr.name}' is a {loc.kind} location here",
                                  ptr.span)
            emit_at(loc, depth)
            return
        if isinstance(ptr, Name) and ptr.name in t.regs and t.regs[ptr.name].pointer:
            self.dispatch_later.append((t, len(t.lines), depth, ptr, emit_at))
            return
        raise LitmusError(E_NOTHERE, "the location must be a thread parameter or an "
                          "'int *' register", ptr.span)

    dispatch_later: list[tuple[_Thread, int, int, Name, Callable[[Loc, int], None]]]

    def finish_dispatches(self) -> None:
        """Accesses through pointer registers, placed once every address taken is known."""
        for t, at, depth, ptr, emit_at in reversed(self.dispatch_later):
            cands = [l for l in self.locs.values() if l.name in self.addressed]
            if not cands:
                raise LitmusError(E_NOTHERE, f"'{ptr.name}' can point to no location (no "
                                  "address is taken anywhere)", ptr.span)
            saved, t.lines = t.lines, []
            for i, loc in enumerate(cands):
                head = "if" if i == 0 else "} else if"
                self.emit(t, depth, f"{head} {ptr.name} == {loc.addr} {{   // {ptr.name} "
                          f"points to {loc.name}")
                emit_at(loc, depth + 1)
            self.emit(t, depth, "} else {")
            self.emit(t, depth + 1, f'assert false, "{ptr.name} points to no location"')
            self.emit(t, depth, "}")
            saved[at:at] = t.lines
            t.lines = saved

    # -- the final condition
    def cond(self, c: Cond, threads: dict[int, _Thread]) -> str:
        if isinstance(c, CondBool):
            return "true" if c.value else "false"
        if isinstance(c, CondNot):
            return f"!({self.cond(c.arg, threads)})"
        if isinstance(c, CondOp):
            op = " && " if c.op == "and" else " || "
            return "(" + op.join(self.cond(a, threads) for a in c.args) + ")"
        value = self.cond_value(c)
        cmp = "!=" if c.negated else "=="
        if c.thread is None:
            loc = self.locs.get(c.name)
            if loc is None or loc.kind == "lock":
                raise LitmusError(E_UNKNOWN, f"unknown location '{c.name}'", c.span)
            return f"{loc.name} {cmp} {value}"
        th = threads.get(c.thread)
        if th is None:
            raise LitmusError(E_UNKNOWN, f"there is no thread P{c.thread}", c.span)
        reg = th.regs.get(c.name)
        if reg is None or c.name.startswith("tmp") and c.name not in self.source_regs:
            raise LitmusError(E_UNKNOWN, f"P{c.thread} has no register '{c.name}'", c.span)
        return f"P{c.thread}.{c.name} {cmp} {value}"

    def cond_value(self, c: CondAtom) -> str:
        if isinstance(c.value, int):
            self.literals.add(c.value)
            return str(c.value) if c.value >= 0 else f"(0 - {-c.value})"
        loc = self.locs.get(c.value)
        if loc is None or loc.kind == "lock":
            raise LitmusError(E_UNKNOWN, f"unknown location '{c.value}'", c.span)
        self.addressed.add(loc.name)
        return str(loc.addr)

    source_regs: set[str]
    grace_periods: set[str]


def emit(test: Test, origin: str | None = None) -> str:
    """The .mms text for `test` (raises LitmusError for what cannot be translated)."""
    e = _Emitter(test)
    e.dispatch_later = []
    e.grace_periods = _calls(test) & GRACE_PERIODS
    e.collect_locations()
    e.taken = set(e.locs) | {r.name for th in test.threads for r in _decls(th.body)}
    e.source_regs = {r.name for th in test.threads for r in _decls(th.body)}
    threads = {th.index: e.thread(th) for th in test.threads}
    for item in test.init:
        if isinstance(item, InitReg):
            th = threads.get(item.thread)
            if th is None or item.name not in th.regs:
                raise LitmusError(E_UNKNOWN, f"P{item.thread} has no register '{item.name}'",
                                  item.span)
    e.finish_dispatches()
    done = " && ".join(f"P{i}@done" for i in sorted(threads))
    cond = e.cond(test.cond, threads)
    filt = e.cond(test.filter, threads) if test.filter is not None else None
    for item in test.init:
        if isinstance(item, (InitLoc, InitReg)) and isinstance(item.value, int):
            e.literals.add(item.value)
    return _render(e, test, threads, done, cond, filt, origin)


def _calls(test: Test) -> set[str]:
    """Every function called anywhere in the threads."""
    out: set[str] = set()

    def expr(e: Expr) -> None:
        if isinstance(e, Call):
            out.add(e.func)
            for a in e.args:
                expr(a)
        elif isinstance(e, Unary):
            expr(e.arg)
        elif isinstance(e, (Binary, Assign)):
            expr(e.left if isinstance(e, Binary) else e.target)
            expr(e.right if isinstance(e, Binary) else e.value)

    def stmts(ss: tuple[Stmt, ...]) -> None:
        for s in ss:
            if isinstance(s, Decl) and s.init is not None:
                expr(s.init)
            elif isinstance(s, ExprStmt):
                expr(s.expr)
            elif isinstance(s, If):
                expr(s.cond)
                stmts(s.then)
                stmts(s.orelse)

    for th in test.threads:
        stmts(th.body)
    return out


def _decls(stmts: tuple[Stmt, ...]) -> list[Decl]:
    out: list[Decl] = []
    for s in stmts:
        if isinstance(s, Decl):
            out.append(s)
        elif isinstance(s, If):
            out += _decls(s.then) + _decls(s.orelse)
    return out


def _value_type(e: _Emitter) -> tuple[int, int]:
    addrs = [l.addr for l in e.locs.values() if l.name in e.addressed]
    hi = max([max(e.literals), *addrs]) + e.growth
    lo = min(0, min(e.literals)) - e.shrink
    return lo, hi


def _init_text(e: _Emitter, value: int | str | None) -> str:
    if value is None:
        return "0"
    if isinstance(value, str):
        return str(e.locs[value].addr)
    return str(value) if value >= 0 else f"-{-value}"


def _render(e: _Emitter, test: Test, threads: dict[int, _Thread], done: str, cond: str,
            filt: str | None, origin: str | None) -> str:
    lo, hi = _value_type(e)
    vt = "Val"
    while vt in e.taken:
        vt += "_"
    out = [f"// {test.name}: a herd7 C litmus test translated by `mmspec litmus`.",
           f"// source: {_one_line(origin or test.path)}",
           f"// LKMM Result: {test.result_text or 'not stated'}",
           f"spec {_spec_name(test.name)}",
           "option memory = lkmm",
           "",
           f"type {vt} = {lo}..{hi}"]
    addressed = [l for l in e.locs.values() if l.name in e.addressed]
    if addressed:
        out.append("// addresses: " + ", ".join(f"&{l.name} == {l.addr}" for l in addressed)
                   + " (0 is NULL)")
    for loc in e.locs.values():
        if loc.kind == "lock":
            out.append(f"spinlock {loc.name}")
        else:
            out.append(f"var {loc.name}: {vt} = {_init_text(e, loc.init)}")
    reg_init = {(i.thread, i.name): i.value for i in test.init if isinstance(i, InitReg)}
    for i in sorted(threads):
        t = threads[i]
        out += ["", f"process P{i} {{"]
        for r in t.regs.values():
            if r.boolean:
                out.append(f"    var {r.name}: bool = false")
            else:
                out.append(f"    var {r.name}: {vt} = "
                           f"{_init_text(e, reg_init.get((i, r.name)))}")
        out += t.lines
        out.append("}")
    out.append("")
    guard = done if filt is None else f"{done} && {filt}"
    if test.quantifier == "forall":
        out.append(f"invariant forall_holds: ({guard}) => {cond}")
        name = "forall_holds"
        violated = test.result in ("Sometimes", "Never")
    else:
        out.append(f"invariant no_exists: !({guard} && {cond})")
        name = "no_exists"
        violated = test.result in ("Sometimes", "Always")
    if test.result is None:
        out.append("// LKMM's result is not stated as Never/Sometimes/Always: no expectation")
    elif violated:
        out.append(f"expect invariant {name}   // LKMM: {test.result}")
    else:
        out.append(f"expect ok   // LKMM: {test.result}")
    return "\n".join(out) + "\n"


def _spec_name(name: str) -> str:
    out = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    return out if out[:1].isalpha() else "t_" + out


def _one_line(text: str) -> str:
    """Provenance text as one printable comment line."""
    first = text.splitlines()[0] if text else ""
    return "".join(ch if ch.isprintable() else "?" for ch in first)
