"""Generate the Python source of the search kernel from a GroundSystem, once per run.

One generated function expands a chunk of the BFS frontier: every transition of the system
is inlined in `system.transitions` order (so successors are discovered in the reference
order), guards become nested `if`s with the cheap `slot == k` conjuncts first, slots are
extracted from the packed state once, and successors are computed as integer arithmetic on
the packed state. Only our own text goes into the source: integer literals, slot-derived
local names and fixed operator strings. Nothing from the spec (names, labels, messages).

The kernel only *detects* violations; it hands the state back to the driver, which asks the
reference interpreter (`mmspec.ground.eval_gexpr`) exactly which property failed. That keeps
the fast path small and the reported semantics in one place.

Kernel protocol (search mode):
`expand(front, seen, app, papp, room, cnt, bad, hook, canon, los, invok)` expands the states
of `front`, marks new successors in `seen` (the visited store), appends each to `app` and
its parent to `papp`, adds fire counts to `cnt`, and returns None when the chunk is done, or
`(code, s)`: 1 = a check, range or deadlock violation while expanding `s`; 2 = `room` new
states were stored (the state limit); 3 = the lock-order hook asked to stop (the search's
hook never does: a cycle is recorded and the search goes on; a worker's hook does, to hand
the slice back to the parent). A newly discovered state that breaks an invariant is
appended to `bad` (the first one only) and the chunk goes on: invariant violations of level
d+1 rank after every expansion violation of level d (see search.py).

Slots are read either as values (`x{k}`, shifted down) or, for comparisons with a literal
and truth tests, as the field in place (`y{k} = s & mask`, compared with the literal
shifted up): one operation less per read, about 15% on GRID.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mmspec.ground import (FALSE, TRUE, GExpr, GIte, GLit, GOp, GroundSystem, GSlot, GTransition,
                           gop, self_offset)

from checker.explicit.layout import Layout
from checker.lockorder import lock_order_steps
from checker.explicit.visited import insert_code
from checker.explicit.pyexpr import (PY_CMP, Facts, Forms, conjuncts, interval, learn, py,
                                     slots_of, substitute, with_facts)

MAX_NEST = 12  # deeper guards are tested in one combined `if` (the tokenizer caps indentation)
HOIST_MIN_USERS = 3  # a slot read by this many transitions is extracted once per state


@dataclass
class Config:
    mode: str = "search"  # 'search' | 'graph'
    deadlock: bool = False
    lock_order: bool = False
    symmetry: bool = False
    limited: bool = False  # stop when `room` new states have been stored in this call
    store: str = "set"  # visited store: 'set' | 'bytes' | 'bits' (visited.py)


@dataclass
class _Block:
    indent: int
    facts: Facts
    have: set[int] = field(default_factory=set)  # slots whose value x{k} is extracted
    have_y: set[int] = field(default_factory=set)  # slots whose field y{k} is extracted

    def child(self) -> "_Block":
        return _Block(self.indent + 1, self.facts.copy(), set(self.have), set(self.have_y))


class _InPlace(Forms):
    """Compare a slot with a literal on its field in place (`s & mask` against the literal
    shifted into position): one operation less than extracting the value."""

    def __init__(self, layout: Layout):
        super().__init__()
        self.layout = layout

    def cmp(self, k: int, op: str, c: int) -> str | None:
        sym = PY_CMP[op]
        lo, sh = self.layout.lo[k], self.layout.shift[k]
        if c < lo or c > self.layout.hi[k]:
            return None  # let the plain comparison (or folding) handle impossible values
        self.ys.add(k)
        return f"(y{k} {sym} {(c - lo) << sh})"

    def truth(self, k: int) -> str | None:
        if self.layout.lo[k] != 0:
            return None
        self.ys.add(k)
        return f"y{k}"


class _Gen:
    def __init__(self, system: GroundSystem, layout: Layout, cfg: Config):
        self.system = system
        self.layout = layout
        self.cfg = cfg
        self.lines: list[str] = []
        self.const_facts = Facts()
        for k, b in enumerate(layout.bits):
            if b == 0:
                self.const_facts.known[k] = layout.lo[k]
                self.const_facts.iv[k] = (layout.lo[k], layout.lo[k])
        self.los_transitions: list[int] = []
        self.lock_order_steps = set(lock_order_steps(system))  # the shared lock-order rule

    # ------------------------------------------------------------------ helpers
    def emit(self, blk: _Block | int, text: str) -> None:
        ind = blk if isinstance(blk, int) else blk.indent
        self.lines.append("    " * ind + text)

    def extraction(self, k: int, var: str = "s") -> str:
        sh, m, lo = self.layout.shift[k], self.layout.mask(k), self.layout.lo[k]
        raw = f"({var} >> {sh}) & {m}" if sh else f"{var} & {m}"
        if lo:
            return f"x{k} = ({raw}) + {lo}" if lo > 0 else f"x{k} = ({raw}) - {-lo}"
        return f"x{k} = {raw}"

    def ensure(self, blk: _Block, e: GExpr | set[int],
               ys: set[int] | frozenset[int] = frozenset()) -> None:
        """Emit the slot reads (values, and fields in place) that blk does not have yet."""
        need = e if isinstance(e, set) else slots_of(e)
        for k in sorted(ys - blk.have_y):
            self.emit(blk, f"y{k} = s & {self.layout.field_mask(k)}")
            blk.have_y.add(k)
        for k in sorted(need - blk.have):
            if k in blk.have_y:
                sh, lo = self.layout.shift[k], self.layout.lo[k]
                raw = f"(y{k} >> {sh})" if sh else f"y{k}"
                self.emit(blk, f"x{k} = {raw} + {lo}" if lo > 0 else
                          (f"x{k} = {raw} - {-lo}" if lo < 0 else f"x{k} = {raw}"))
            else:
                self.emit(blk, self.extraction(k))
            blk.have.add(k)

    def text(self, blk: _Block, e: GExpr, ctx: str = "value") -> str:
        """Python text for e, with the slot reads it needs extracted first in blk."""
        forms = _InPlace(self.layout)
        out = py(e, forms, ctx)
        self.ensure(blk, forms.xs, forms.ys)
        return out

    def order(self, cs: list[GExpr]) -> list[GExpr]:
        """Cheap, selective conjuncts first: `slot == k` and bool slots, then comparisons."""
        def rank(c: GExpr) -> int:
            if isinstance(c, GSlot) or (isinstance(c, GOp) and c.op == "not"
                                         and isinstance(c.args[0], GSlot)):
                return 0
            if isinstance(c, GOp) and c.op == "eq" and len(c.args) == 2 and any(
                    isinstance(a, GSlot) for a in c.args) and any(
                    isinstance(a, GLit) for a in c.args):
                return 0
            if isinstance(c, GOp) and c.op in ("ne", "lt", "le", "gt", "ge") and all(
                    isinstance(a, (GSlot, GLit)) for a in c.args):
                return 1
            return 2
        return sorted(cs, key=rank)

    def nest(self, blk: _Block, conds: list[GExpr]) -> _Block | None:
        """Open one `if` per condition (learning facts); None if some condition is false."""
        cur = blk
        conds = list(conds)
        while conds:
            c = with_facts(conds.pop(0), cur.facts)
            if c == TRUE or (isinstance(c, GLit) and c.value):
                continue
            if c == FALSE or isinstance(c, GLit):
                return None
            if cur.indent - blk.indent >= MAX_NEST and conds:
                rest = [c] + [with_facts(x, cur.facts) for x in conds]
                if any(isinstance(x, GLit) and not x.value for x in rest):
                    return None
                rest = [x for x in rest if not isinstance(x, GLit)]
                conds = []
                texts = [self.text(cur, x, "bool") for x in rest]
                self.emit(cur, "if " + " and ".join(texts) + ":")
                nxt = cur.child()
                for x in rest:
                    learn(x, nxt.facts, self.layout.lo, self.layout.hi)
                cur = nxt
                continue
            self.emit(cur, f"if {self.text(cur, c, 'bool')}:")
            nxt = cur.child()
            learn(c, nxt.facts, self.layout.lo, self.layout.hi)
            cur = nxt
        return cur

    def fail(self, blk: _Block, code: int) -> None:
        self.emit(blk, f"res = ({code}, s)")
        self.emit(blk, "break")

    def check(self, blk: _Block, cond: GExpr) -> bool:
        """Emit `if not cond: stop`. Returns False if the check fails unconditionally."""
        c = with_facts(cond, blk.facts)
        if isinstance(c, GLit):
            if c.value:
                return True
            self.fail(blk, 1)
            return False
        self.emit(blk, f"if not {self.text(blk, c, 'bool')}:")
        self.fail(blk.child(), 1)
        return True

    # ------------------------------------------------------------------ analysis
    def hoisted(self) -> tuple[set[int], set[int]]:
        """Slot reads done once per state at the top: those in a transition's first tested
        conjunct (always evaluated) and those of many transitions. (values, fields)"""
        users_x: dict[int, int] = {}
        users_y: dict[int, int] = {}
        fx: set[int] = set()
        fy: set[int] = set()
        for t in self.system.transitions:
            forms = _InPlace(self.layout)
            for e in conjuncts(t.guard) + conjuncts(t.at) + [c.cond for c in t.checks]:
                py(with_facts(e, self.const_facts), forms, "bool")
            for k, e in t.updates:
                if self_offset(e, k) is not None:
                    forms.ys.add(k)  # x + c: only its range check reads x, a comparison
                else:
                    py(with_facts(e, self.const_facts), forms)
            for k in forms.xs:
                users_x[k] = users_x.get(k, 0) + 1
            for k in forms.ys:
                users_y[k] = users_y.get(k, 0) + 1
            reach = any(c.when == "reach" for c in t.checks)
            cs = self.order(conjuncts(t.at if reach else t.guard))
            if cs:
                first = _InPlace(self.layout)
                py(with_facts(cs[0], self.const_facts), first, "bool")
                fx |= first.xs
                fy |= first.ys
        known = set(self.const_facts.known)
        xs = fx | {k for k, n in users_x.items() if n >= HOIST_MIN_USERS}
        ys = fy | {k for k, n in users_y.items() if n >= HOIST_MIN_USERS}
        return xs - known, ys - known

    # ------------------------------------------------------------------ kernel
    def kernel(self) -> str:
        cfg = self.cfg
        n_t = len(self.system.transitions)
        if cfg.mode == "search":
            self.emit(0, "def expand(front, seen, app, papp, room, cnt, bad, hook, canon, los, "
                         "invok):")
        else:
            self.emit(0, "def expand(front, ids, app, cnt, edges_app, rng):")
        body_start = len(self.lines)
        for i in range(n_t):
            self.emit(1, f"c{i} = 0")
        self.emit(1, "res = None")
        if cfg.mode == "search" and cfg.store == "set":
            self.emit(1, "sadd = seen.add")
        if cfg.mode == "search" and cfg.limited:
            self.emit(1, "dn = 0")
        self.emit(1, "for s in front:")
        top = _Block(2, self.const_facts.copy())
        hx, hy = self.hoisted()
        self.ensure(top, hx, hy)
        if cfg.mode == "search" and cfg.deadlock:
            self.emit(top, "en = 0")
        if cfg.mode == "graph":
            self.emit(top, "out = []")
        for i, t in enumerate(self.system.transitions):
            self.transition(top, i, t)
        if cfg.mode == "graph":
            self.emit(top, "edges_app(out)")
        elif cfg.deadlock:
            self.emit(top, "if not en:")
            blk = top.child()
            self.check(blk, self.system.final)
        for i in range(n_t):
            self.emit(1, f"cnt[{i}] += c{i}")
        self.emit(1, "return res")
        if self.los_transitions:
            self.lines[body_start:body_start] = [
                f"    los{i} = los[{i}]" for i in self.los_transitions]
        return "\n".join(self.lines) + "\n"

    def transition(self, top: _Block, i: int, t: GTransition) -> None:
        if self.cfg.mode == "search" and t.reads and not self.check(top, t.reads_ok):
            return  # evaluating the guard is an error in every state
        reach = [c for c in t.checks if c.when == "reach"] if self.cfg.mode == "search" else []
        guard = self.order(conjuncts(t.guard))
        if reach:
            at = self.order(conjuncts(t.at))
            inside = all(a in guard for a in at)
            blk = self.nest(top, at)
            if blk is None:
                return
            for c in reach:
                if not self.check(blk, c.checked):
                    return
            if inside:
                rest = [g for g in guard if g not in at]
                fire = self.nest(blk, rest)
                if fire is not None:
                    self.fire(fire, i, t)
                return
        fire = self.nest(top, guard)
        if fire is not None:
            self.fire(fire, i, t)

    def fire(self, blk: _Block, i: int, t: GTransition) -> None:
        cfg = self.cfg
        if cfg.mode == "search" and cfg.deadlock:
            self.emit(blk, "en = 1")
        self.emit(blk, f"c{i} += 1")
        if cfg.mode == "search":
            for c in t.checks:
                if c.when == "fire" and not self.check(blk, c.checked):
                    return
            if t.fire_reads and not self.check(blk, t.fire_ok):
                return
            if cfg.lock_order and i in self.lock_order_steps:
                self.lock_order(blk, i, t)
        got = self.successor(blk, i, t)
        if got is None:
            return
        repl, blk = got
        # a successor outside a CONSTRAINT / ACTION_CONSTRAINT: generated (counted above, and
        # the state is not deadlocked), neither stored nor explored
        # (the invariants on it are the step's fire checks: ground._outside_invariants)
        kept = self.nest(blk, [t.explore])
        if kept is None:
            return
        blk = kept
        if cfg.symmetry:
            self.emit(blk, "n = canon(n)")
        if cfg.mode == "graph":
            self.emit(blk, "j = ids.get(n)")
            self.emit(blk, "if j is None:")
            inner = blk.child()
            self.emit(inner, "j = len(ids)")
            self.emit(inner, "ids[n] = j")
            self.emit(inner, "app(n)")
            self.emit(blk, f"out.append(({i}, j))")
            return
        test, mark = insert_code(cfg.store)
        self.emit(blk, f"if {test}:")
        inner = blk.child()
        if cfg.limited:
            self.emit(inner, "if dn >= room:")
            self.fail(inner.child(), 2)
            self.emit(inner, "dn += 1")
        self.emit(inner, mark)
        self.emit(inner, "app(n)")
        self.emit(inner, "papp(s)")
        if not self.system.invariants:
            return
        if cfg.symmetry:
            self.emit(inner, "if not invok(n):")
            self.emit(inner.child(), "if not bad: bad.append(n)")
            return
        changed = set(repl)
        for inv in self.system.invariants:
            expr = inv.checked
            if not (slots_of(expr) & changed):
                continue  # it held in s (checked when s was discovered) and reads no update
            e = with_facts(substitute(expr, repl), inner.facts)
            if isinstance(e, GLit):
                if e.value:
                    continue
                self.emit(inner, "if not bad: bad.append(n)")
                continue
            self.emit(inner, f"if not {self.text(inner, e, 'bool')}:")
            self.emit(inner.child(), "if not bad: bad.append(n)")

    def range_fail(self, blk: _Block, i: int) -> None:
        if self.cfg.mode == "graph":
            self.emit(blk, f"rng.append((s, {i}))")
        elif self.cfg.mode == "succ":
            self.emit(blk, f"out.append(({i}, -1))")
        else:
            self.fail(blk, 1)

    def successor(self, blk: _Block, i: int,
                  t: GTransition) -> tuple[dict[int, GExpr], _Block] | None:
        """Emit `n = ...` for t's successor.

        Returns slot -> new value (as an expression over the pre-state) and the block in
        which `n` is defined (in graph modes a range error skips the edge via `else:`).
        """
        lay = self.layout
        repl: dict[int, GExpr] = {}
        const = 0
        mask = 0
        terms: list[str] = []
        for k, e in t.updates:
            slot = self.system.slots[k]
            lo, hi, sh = lay.lo[k], lay.hi[k], lay.shift[k]
            v = with_facts(e, blk.facts)
            a, b = interval(v, blk.facts, lay.lo, lay.hi)
            low_bad = a is None or a < lo
            high_bad = b is None or b > hi
            if slot.wrap and (low_bad or high_bad):
                n = hi - lo + 1
                v = gop("add", GLit(lo), gop("mod", gop("sub", v, GLit(lo)), GLit(n)))
                low_bad = high_bad = False
            repl[k] = v
            old = blk.facts.known.get(k)
            if isinstance(v, GLit):
                if (low_bad and v.value < lo) or (high_bad and v.value > hi):
                    self.range_fail(blk, i)
                    return None
                if old is not None:
                    const += (v.value - old) << sh
                else:
                    mask |= lay.field_mask(k)
                    const += (v.value - lo) << sh
                continue
            lin = self_offset(v, k)
            text = ""
            if low_bad or high_bad:
                if lin is not None:  # x + c out of range <=> x out of a shifted range
                    bounds = ([GOp("lt", (GSlot(k), GLit(lo - lin)))] if low_bad else []) + (
                        [GOp("gt", (GSlot(k), GLit(hi - lin)))] if high_bad else [])
                    tests = [self.text(blk, x, "bool") for x in bounds]
                else:
                    self.emit(blk, f"v{k} = {self.text(blk, v)}")
                    text = f"v{k}"
                    tests = ([f"v{k} < {lo}"] if low_bad else []) + (
                        [f"v{k} > {hi}"] if high_bad else [])
                self.emit(blk, "if " + " or ".join(tests) + ":")
                self.range_fail(blk.child(), i)
                if self.cfg.mode != "search":
                    self.emit(blk, "else:")
                    blk = blk.child()
            if lin is not None:
                const += lin << sh
                continue
            if not text:
                text = self.text(blk, v)
            if old is not None:
                terms.append(_shifted(f"({text} - {old})" if old else text, sh))
            else:
                mask |= lay.field_mask(k)
                terms.append(_shifted(f"({text} - {lo})" if lo else text, sh))
        expr = f"(s & {lay.all_ones ^ mask})" if mask else "s"
        parts = [expr] + terms
        if const > 0:
            parts.append(str(const))
        text = " + ".join(parts)
        if const < 0:
            text += f" - {-const}"
        self.emit(blk, f"n = {text}")
        return repl, blk

    def lock_order(self, blk: _Block, i: int, t: GTransition) -> None:
        """Fire the lock-order hook once per (step, set of locks held with subclasses)."""
        tid = t.thread
        assert tid is not None
        parts: list[GExpr] = []
        pos = 0
        for lk in self.system.locks:
            held: GExpr = gop("eq", GSlot(lk.owner), GLit(tid))
            if lk.readers:
                held = gop("or", held, gop("ne", GSlot(lk.readers[tid]), GLit(0)))
            bit: GExpr = GLit(1 << pos)
            pos += 1
            if lk.subclass:
                sub = lk.subclass[tid]
                w = max(1, self.layout.bits[sub])
                bit = gop("add", bit, gop("mul", gop("sub", GSlot(sub), GLit(self.layout.lo[sub])),
                                          GLit(1 << pos)))
                pos += w
            parts.append(GIte(held, bit, GLit(0)) if not isinstance(held, GLit)
                         else (bit if held.value else GLit(0)))
        h = with_facts(_sum(parts), blk.facts)
        self.emit(blk, f"h = {self.text(blk, h)}")
        self.emit(blk, f"if h not in los{i}:")
        inner = blk.child()
        self.emit(inner, f"los{i}.add(h)")
        self.emit(inner, f"if hook({i}, s):")
        self.fail(inner.child(), 3)
        self.los_transitions.append(i)


def _sum(xs: list[GExpr]) -> GExpr:
    out: GExpr = GLit(0)
    for x in xs:
        out = gop("add", out, x)
    return out


def _shifted(text: str, sh: int) -> str:
    return f"({text} << {sh})" if sh else text



def kernel_source(system: GroundSystem, layout: Layout, cfg: Config) -> tuple[str, list[int]]:
    """The kernel's source and the transitions that use a lock-order dedup set."""
    g = _Gen(system, layout, cfg)
    return _fill_empty_blocks(g.kernel()), g.los_transitions


def _fill_empty_blocks(src: str) -> str:
    """Add `pass` under any `if` whose body folded away (a later conjunct was false)."""
    lines = src.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if line.rstrip().endswith(":"):
            ind = len(line) - len(line.lstrip())
            nxt = next((x for x in lines[i + 1:] if x.strip()), "")
            if len(nxt) - len(nxt.lstrip()) <= ind:
                out.append(" " * (ind + 4) + "pass")
    return "\n".join(out)


def canon_source(system: GroundSystem, layout: Layout) -> str:
    """`canon(n)`: the least packed int over the state's symmetry orbit."""
    lines = ["def canon(n):"]
    used = [k for k in range(layout.width) if layout.bits[k]]
    for k in used:
        sh, m = layout.shift[k], layout.mask(k)
        lines.append(f"    f{k} = (n >> {sh}) & {m}" if sh else f"    f{k} = n & {m}")
    lines.append("    b = n")
    for perm, vmaps in system.symmetries:
        terms = []
        for j in used:
            src = perm[j]
            vm = vmaps[j]
            if layout.bits[src] == 0:
                val = str(_mapped(vm, layout.lo[src]) - layout.lo[j])
                if val != "0":
                    terms.append(_shifted(val, layout.shift[j]))
                continue
            if vm:
                table = tuple(_mapped(vm, f + layout.lo[src]) - layout.lo[j]
                              for f in range(1 << layout.bits[src]))
                terms.append(_shifted(f"{table}[f{src}]", layout.shift[j]))
            else:
                terms.append(_shifted(f"f{src}", layout.shift[j]))
        lines.append(f"    c = {' + '.join(terms) if terms else '0'}")
        lines.append("    if c < b:")
        lines.append("        b = c")
    lines.append("    return b")
    return "\n".join(lines) + "\n"


def _mapped(vm: dict[int, int] | None, v: int) -> int:
    if not vm:
        return v
    return vm.get(v, v)


def invariant_source(system: GroundSystem, layout: Layout) -> str:
    """`invok(n)`: do all invariants hold in packed state n (for initial states, symmetry)."""
    lines = ["def invok(s):"]
    need: set[int] = set()
    for inv in system.invariants:
        slots_of(inv.checked, need)
    g = _Gen(system, layout, Config())
    blk = _Block(1, g.const_facts.copy())
    g.lines = lines
    for inv in system.invariants:
        e = with_facts(inv.checked, blk.facts)
        if isinstance(e, GLit):
            if not e.value:
                g.emit(blk, "return False")
            continue
        g.emit(blk, f"if not {g.text(blk, e, 'bool')}:")
        g.emit(blk.indent + 1, "return False")
    g.emit(blk, "return True")
    return "\n".join(lines) + "\n"


def successors_source(system: GroundSystem, layout: Layout) -> str:
    """`succ(s)` -> [(transition index, successor, or -1 on a range error)] for one state."""
    g = _Gen(system, layout, Config(mode="succ"))
    g.emit(0, "def succ(s):")
    g.emit(1, "out = []")
    top = _Block(1, g.const_facts.copy())
    for i, t in enumerate(system.transitions):
        fire = g.nest(top, g.order(conjuncts(t.guard)))
        if fire is None:
            continue
        got = g.successor(fire, i, t)
        if got is not None:
            kept = g.nest(got[1], [t.explore])
            if kept is not None:
                g.emit(kept, f"out.append(({i}, n))")
    g.emit(1, "return out")
    return _fill_empty_blocks("\n".join(g.lines) + "\n")
