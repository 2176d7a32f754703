"""Grounding: from the structured IR to the scalar system every engine executes.

Each state variable is flattened into integer *slots* (a map into one slot per key, a record
into one per field, a set into one 0/1 slot per element), each transition is instantiated
once per parameter binding, and every expression becomes a tree of `G*` nodes over slots,
literals and a fixed set of integer/boolean operators. Dynamic indexing turns into if-then-else
chains, quantifiers into and/or chains. The explicit, vectorised and z3 engines each compile
this one form in their own way, so none of them needs to understand maps, records or sets.
"""
from __future__ import annotations

import itertools
from typing import Iterator, cast

from mmspec import budget as cost
from mmspec import ir
# The ground form's parts live in their own modules; engines import them from here.
from mmspec.gexpr import (BOOL_OPS as BOOL_OPS, FALSE as FALSE, GExpr as GExpr, GIte as GIte,
                          GLit as GLit, GOp as GOp, GSlot as GSlot, GTable as GTable,
                          INT_OPS as INT_OPS, SHIFT_OPS as SHIFT_OPS, TRUE as TRUE,
                          as_bool as as_bool, bit_bounds as bit_bounds, eval_gexpr as eval_gexpr,
                          gite as gite, gop as gop, make_table as make_table,
                          self_offset as self_offset, shift as shift, _and_all)
from mmspec.gsystem import (Env as Env, GAcquire as GAcquire, GCheck as GCheck,
                            GFairness as GFairness, GInvariant as GInvariant,
                            GLiveness as GLiveness, GLock as GLock, GRead as GRead,
                            GTransition as GTransition, GroundError as GroundError,
                            GroundSystem as GroundSystem, InitSpace as InitSpace,
                            LockIndex as LockIndex, MAX_INIT_CANDIDATES as MAX_INIT_CANDIDATES,
                            MAX_INIT_LISTED as MAX_INIT_LISTED, MAX_INIT_STATES as MAX_INIT_STATES,
                            Slot as Slot, Symmetries as Symmetries, describe_read as describe_read,
                            reads_ok as reads_ok, wrap_value as wrap_value)
from mmspec.glayout import (RecordElement as RecordElement, decode_index as decode_index,
                            decode_read as decode_read, decode_state as decode_state,
                            display_scalar as display_scalar, encode_write as encode_write,
                            flatten_value as flatten_value, unflatten_value as unflatten_value,
                            _Layout, _key_name)
from mmspec.grounder import (_Grounder as _Grounder, _Tree, _dedupe)


# --------------------------------------------------------------------------- the pass


def ground(spec: ir.Spec, budget: cost.Budget | None = None) -> GroundSystem:
    """The ground system of `spec`; with a budget its limits apply (phase "grounding")."""
    with cost.active(budget, "grounding"):
        return _ground(spec, budget)


def _ground(spec: ir.Spec, budget: cost.Budget | None) -> GroundSystem:
    layout = _Layout(spec)
    g = _Grounder(spec, layout)
    slots = tuple(layout.slots)
    var_slots = {name: tuple(layout.leaves(node)) for name, node in layout.tree.items()}

    init = _initial_states(spec, var_slots, len(slots), g)
    lock_index, glocks = _ground_locks(spec, layout)

    transitions: list[GTransition] = []
    for ti, t in enumerate(spec.transitions):
        for binding in itertools.product(*[ir.domain_values(p.type) for p in t.params]):
            env = {p.name: (v, p.type) for p, v in zip(t.params, binding)}
            gt = _ground_transition(spec, g, layout, ti, t, env, lock_index)
            if gt is not None:
                transitions.append(gt)

    invariants = tuple(_ground_invariant(g, i) for i in spec.invariants)
    liveness = tuple(GLiveness(lv.name, lv.kind, None if lv.p is None else g.cond(lv.p, {}),
                               g.cond(lv.q, {}), lv.span) for lv in spec.liveness)
    fairness = _ground_fairness(spec, transitions)
    final = g.cond(spec.final, {}) if spec.final is not None else FALSE
    symmetries = _symmetries(spec, slots, layout)
    constraint = state_constraint(g, spec)
    return GroundSystem(spec, slots, init, tuple(transitions), invariants, liveness, fairness,
                        glocks, final, spec.check_deadlock, spec.check_lock_order, symmetries,
                        var_slots, constraint)


def state_constraint(g: "_Grounder", spec: ir.Spec) -> GExpr:
    """The conjunction of the state constraints in the current state (initial states)."""
    parts = []
    for c in spec.constraints:
        if not c.action:
            e, reads = g.reading(c.span, lambda: g.cond(c.expr, {}))
            _refuse_certain(reads)
            parts.append(gop("and", reads_ok(reads), e))
    return _and_all(parts)


def _step_properties(g: "_Grounder", spec: ir.Spec, layout: "_Layout",
                     acc: dict[str, object]) -> tuple[GCheck, ...]:
    """The action properties (`always [A]`) as in-step checks of this step: A over the
    pre-state and the step's post-state, tested whenever the step fires (also when its
    successor is outside a constraint, as TLC checks implied actions)."""
    if not spec.step_properties:
        return ()
    post = {var: _coerce_tree(layout, layout.tree[var], tree) for var, tree in acc.items()}
    out = []
    g.post = post
    try:
        for p in spec.step_properties:
            cond, reads = g.reading(p.span, lambda: g.cond(p.expr, {}))
            out.append(GCheck(cond, p.name, "invariant", "fire", p.span, reads))
    finally:
        g.post = None
    return tuple(out)


def _explore(g: "_Grounder", spec: ir.Spec, layout: "_Layout", acc: dict[str, object]
             ) -> tuple[GExpr, tuple[GRead, ...]]:
    """The constraints on a step's successor as a condition over its pre-state, and the
    partial operations evaluating them performs (checked like the step's updates')."""
    if not spec.constraints:
        return TRUE, ()
    post = {var: _coerce_tree(layout, layout.tree[var], tree) for var, tree in acc.items()}
    parts: list[GExpr] = []
    reads: list[GRead] = []
    g.post = post
    try:
        for c in spec.constraints:
            g.prime_all = not c.action
            e, rs = g.reading(c.span, lambda: g.cond(c.expr, {}))
            parts.append(e)
            reads.extend(rs)
    finally:
        g.post, g.prime_all = None, False
    return _and_all(parts), tuple(reads)


def _outside_invariants(g: "_Grounder", spec: ir.Spec, layout: "_Layout",
                        acc: dict[str, object], explore: GExpr, fire_reads: tuple[GRead, ...],
                        updates: dict[int, GExpr]) -> tuple[GCheck, ...]:
    """The invariants on a successor outside the constraints, as in-step checks: TLC checks
    every invariant on each generated successor that fails CONSTRAINT or ACTION_CONSTRAINT
    (ModelChecker.doNext: such a state is never "seen", so it is checked each time) though
    it neither stores nor explores it. Skipped when the step itself fails first (a read of
    its updates out of its domain, a value out of its range): that is reported instead."""
    if not spec.constraints or not spec.invariants:
        return ()
    ranges = []
    for k, v in updates.items():
        sl = layout.slots[k]
        if sl.values is not None:  # a compact slot: its value among the declared ones
            ranges.append(encode_write(v, sl.values)[1])
        elif not sl.wrap:
            ranges += [gop("le", GLit(sl.lo), v), gop("le", v, GLit(sl.hi))]
    skip = gop("or", explore, gop("not", reads_ok(fire_reads)),
               gop("not", _and_all(ranges)))
    post = {var: _coerce_tree(layout, layout.tree[var], tree) for var, tree in acc.items()}
    out = []
    g.post, g.prime_all = post, True
    try:
        for inv in spec.invariants:
            e, reads = g.reading(inv.span, lambda: g.cond(inv.expr, {}))
            reads = tuple(GRead(gop("or", skip, r.ok), r.value, r.what, r.domain, r.span)
                          for r in reads)
            out.append(GCheck(gop("or", skip, e), inv.name, "invariant", "fire", inv.span,
                              reads))
    finally:
        g.post, g.prime_all = None, False
    return tuple(out)


def _ground_invariant(g: _Grounder, inv: ir.Invariant) -> GInvariant:
    expr, reads = g.reading(inv.span, lambda: g.cond(inv.expr, {}))
    _refuse_certain(reads)
    return GInvariant(inv.name, expr, inv.helper, inv.span, reads)


def _refuse_certain(reads: tuple[GRead, ...], step: str | None = None) -> None:
    """A read out of its domain in every state (no guard protects it) is a spec error."""
    for r in reads:
        if isinstance(r.ok, GLit) and not r.ok.value:
            raise GroundError(describe_read(r, r.value.value if isinstance(r.value, GLit)
                                            else None) + (f" (in {step})" if step else ""),
                              r.span, "MMS320" if r.what in ("divisor", "modulus")
                              else "MMS303")


def _initial_states(spec: ir.Spec, var_slots: dict[str, tuple[int, ...]],
                    width: int, g: "_Grounder") -> "tuple[tuple[int, ...], ...] | InitSpace":
    choices = []
    total = 1
    for v in spec.variables:
        opts = [flatten_value(v.type, x) for x in v.init]
        if not opts:
            raise GroundError(f"variable {v.name} has no initial value", v.span)
        total *= len(opts)
        if total > MAX_INIT_CANDIDATES:
            raise GroundError(f"more than {MAX_INIT_CANDIDATES:,} candidate initial states",
                              v.span, "MMS402")
        choices.append((var_slots[v.name], opts))
    if spec.initial or total > MAX_INIT_STATES:
        parts: list[GExpr] = []
        named: list[tuple[str, GRead]] = []
        for p in spec.initial:
            e, reads = g.reading(p.span, lambda: g.cond(p.expr, {}))
            _refuse_certain(reads)
            # evaluated only where the earlier predicates hold (TLC's Init is one conjunction)
            before = gop("not", _and_all(parts))
            named += [(p.name, GRead(gop("or", before, r.ok), r.value, r.what, r.domain,
                                     r.span)) for r in reads]
            parts.append(gop("and", reads_ok(reads), e))
        span = spec.initial[0].span if spec.initial else ir.NO_SPAN
        return InitSpace(tuple((tuple(s), tuple(tuple(o) for o in opts))
                               for s, opts in choices), width, _and_all(parts), span,
                         tuple(named))
    b = cost.current()
    if b is not None:
        b.check_states(total, "initial states")
    out = []
    for combo in itertools.product(*[opts for _, opts in choices]):
        cost.tick()
        state = [0] * width
        for (idx, _), vals in zip(choices, combo):
            for i, x in zip(idx, vals):
                state[i] = x
        out.append(tuple(state))
    return tuple(out)


def _ground_locks(spec: ir.Spec, layout: _Layout) -> tuple[LockIndex, tuple[GLock, ...]]:
    index: LockIndex = {}
    out: list[GLock] = []
    for lk in spec.locks:
        keys: list[int | None] = ([None] if lk.index_type is None
                                  else list(ir.domain_values(lk.index_type)))
        for k in keys:
            def node(var: str | None) -> object:
                if var is None:
                    return None
                n = layout.tree[var]
                return n if k is None else n[k]  # type: ignore[index]
            owner = node(lk.owner_var)
            readers = node(lk.readers_var)
            waiting = node(lk.waiting_var)
            sub = node(lk.subclass_var)
            name = lk.name if k is None else f"{lk.name}[{_key_name(lk.index_type, k)}]"  # type: ignore[arg-type]
            index[(lk.name, k)] = len(out)
            out.append(GLock(name, lk.name, lk.cls, lk.kind, owner,  # type: ignore[arg-type]
                             tuple(layout.leaves(readers)) if readers is not None else (),
                             waiting,  # type: ignore[arg-type]
                             tuple(layout.leaves(sub)) if sub is not None else ()))
    return index, tuple(out)


def _ground_transition(spec: ir.Spec, g: _Grounder, layout: _Layout, ti: int,
                       t: ir.Transition, env: Env, lock_index: LockIndex) -> GTransition | None:
    guard, reads = g.reading(t.span, lambda: g.cond(t.guard, env))
    if guard == FALSE and not reads:
        return None  # this binding can never fire (e.g. pick ... where false)
    at = guard
    if t.at is not None:
        at_expr = t.at
        at, at_reads = g.reading(t.span, lambda: g.cond(at_expr, env))
        if any(c.when == "reach" for c in t.checks):
            reads = _dedupe(list(reads + at_reads))
    # Updates to one variable accumulate (m'[1] = a and m'[2] = b both land); every value and
    # index is still read in the pre-state, so the updates stay simultaneous.
    acc: dict[str, object] = {}

    def ground_updates() -> None:
        for u in t.updates:
            var, new = _apply_update(g, layout, u, env, acc)
            acc[var] = new
    _, fire_reads = g.reading(t.span, ground_updates)
    explore, explore_reads = _explore(g, spec, layout, acc)
    if explore_reads:
        # evaluating the constraints on the successor is part of firing the step
        fire_reads = _dedupe(list(fire_reads) + list(explore_reads))
    updates: dict[int, GExpr] = {}
    for var, tree in acc.items():
        for slot, value in _changed_leaves(layout, layout.tree[var], tree):
            updates[slot] = value
    checks = tuple(_ground_check(g, c, env, t.span) for c in t.checks) + \
        _step_properties(g, spec, layout, acc) + \
        _outside_invariants(g, spec, layout, acc, explore, fire_reads, updates)
    checks += _encode_compact(layout, updates, t.span)
    thread = None
    if t.thread is not None:
        te = g.scalar(t.thread, env)
        assert isinstance(te, GLit), "thread id must be static per binding"
        thread = te.value

    def lock_id(name: str, idx: ir.Expr | None) -> int:
        k = None
        if idx is not None:
            ke = g.scalar(idx, env)
            if not isinstance(ke, GLit):
                raise GroundError("a lock index must be fixed by the step's parameters",
                                  t.span)
            k = ke.value
        return lock_index[(name, k)]

    acquires = tuple(GAcquire(lock_id(a.lock, a.index), a.mode, a.subclass, a.blocking)
                     for a in t.acquires)
    releases = tuple(lock_id(n, i) for n, i in t.releases)
    binding = tuple((name, v) for name, (v, _) in env.items())
    shown = ", ".join(f"{n}={_show_param(env[n])}" for n, _ in binding)
    if t.process is not None and thread is not None:
        label = f"{spec.threads[thread].name}: {t.label or t.name}"
        if t.fused:  # a step more atomic than the code (MMS350): name what it runs together
            label += f" [fused: {', '.join(t.fused)}]"
    else:
        label = f"{t.name}({shown})" if shown else t.name
    _refuse_certain(reads, label)
    return GTransition(t.name, binding, label, guard, at, tuple(sorted(updates.items())),
                       checks, t.process, t.label, thread, acquires, releases, t.span, ti,
                       reads, fire_reads, explore)


def _encode_compact(layout: _Layout, updates: dict[int, GExpr], span: ir.Span
                    ) -> tuple[GCheck, ...]:
    """Updates of compact slots store an index; a value outside the declared set is a
    `range` violation, checked (like any fire check) before the step's own range errors."""
    out: list[GCheck] = []
    for slot in sorted(updates):
        s = layout.slots[slot]
        if s.values is None:
            continue
        index, member = encode_write(updates[slot], s.values)
        updates[slot] = index
        if member != TRUE:
            shown = ", ".join(map(str, s.values[:8])) + (", ..." if len(s.values) > 8 else "")
            out.append(GCheck(member, f"{s.name} would take a value outside its declared "
                              f"values {{{shown}}}", "range", "fire", span))
    return tuple(out)


def _ground_check(g: _Grounder, c: ir.Check, env: Env, where: ir.Span) -> GCheck:
    cond, reads = g.reading(c.span if c.span.file != ir.NO_SPAN.file else where,
                            lambda: g.cond(c.cond, env))
    return GCheck(cond, c.message, c.kind, c.when, c.span, reads)


def _show_param(vt: tuple[int, ir.Type]) -> str:
    v, t = vt
    if isinstance(t, ir.RecordType):
        return _key_name(t, v)
    return str(display_scalar(t, v)).lower() if isinstance(t, ir.BoolType) else str(
        display_scalar(t, v))


def _apply_update(g: _Grounder, layout: _Layout, u: ir.Update, env: Env,
                  acc: dict[str, object]) -> tuple[str, object]:
    """Ground `target' = value` onto the variable's value so far in this transition."""
    path: list[ir.Expr | str] = []
    target = u.target
    while not isinstance(target, ir.VarRef):
        if isinstance(target, ir.Index):
            path.append(target.index)
            target = target.base
        elif isinstance(target, ir.Field):
            path.append(target.name)
            target = target.base
        else:
            raise GroundError("cannot assign to this expression", u.span)
    path.reverse()
    var = target.name
    current = acc.get(var)
    if current is None:
        current = g._slot_tree(layout.tree[var])
    return var, g._except(current, layout.types[var], tuple(path), g.tree(u.value, env), env)


def _changed_leaves(layout: _Layout, node: object, value: object
                    ) -> Iterator[tuple[int, GExpr]]:
    """(slot, new value) for every slot under `node` whose value is not just itself.

    A `_Tree` that says which keys differ from this node's slot tree is walked only there,
    which keeps updating one entry of a large map O(1) per transition."""
    if isinstance(node, int):
        v = _coerce_tree(layout, node, value)
        vals = layout.slots[node].values
        if v != (GSlot(node, layout.slots[node].sort) if vals is None else
                 decode_read(node, vals)):
            yield node, v  # type: ignore[misc]
        return
    assert isinstance(node, dict) and isinstance(value, dict)
    keys = (value.touched if isinstance(value, _Tree) and value.origin is node
            and value.touched is not None else node.keys())
    for k in keys:
        yield from _changed_leaves(layout, node[k], value[k])


def _coerce_tree(layout: _Layout, node: object, value: object) -> object:
    if isinstance(node, int):
        v = cast(GExpr, value)  # a leaf of a value tree
        if layout.slots[node].sort == "bool":
            return as_bool(v)
        if v.sort == "bool":
            return gite(v, GLit(1), GLit(0))
        return v
    assert isinstance(node, dict) and isinstance(value, dict)
    return {k: _coerce_tree(layout, node[k], value[k]) for k in node}


def _ground_fairness(spec: ir.Spec, ts: list[GTransition]) -> tuple[GFairness, ...]:
    out: list[GFairness] = []
    for f in spec.fairness:
        if f.every or f.group:
            idxs = [i for i, t in enumerate(ts) if f.every or t.name in f.group]
            out.append(GFairness(f.kind, "next" if f.every else " or ".join(f.group),
                                 tuple(idxs)))
        elif f.process is not None:
            by_thread: dict[int | None, list[int]] = {}
            for i, t in enumerate(ts):
                if t.process == f.process:
                    by_thread.setdefault(t.thread, []).append(i)
            for tid, idxs in sorted(by_thread.items(), key=lambda kv: (kv[0] is None, kv[0])):
                name = spec.threads[tid].name if tid is not None else f.process
                out.append(GFairness(f.kind, name, tuple(idxs)))
        elif f.action is not None:
            by_binding: dict[tuple[tuple[str, int], ...], list[int]] = {}
            for i, t in enumerate(ts):
                if t.name == f.action:  # witnesses of one instance are one action
                    hidden = {p.name for p in spec.transitions[t.source].params if p.witness}
                    key = tuple(b for b in t.binding if b[0] not in hidden)
                    by_binding.setdefault(key, []).append(i)
            for b, idxs in by_binding.items():
                out.append(GFairness(f.kind, ts[idxs[0]].label, tuple(idxs)))
    return tuple(out)


def _symmetries(spec: ir.Spec, slots: tuple[Slot, ...], layout: _Layout) -> Symmetries:
    """Permutations induced by every permutation of each symmetric type's values.

    A slot whose path goes through a map keyed by a symmetric type moves; a slot whose value
    has a symmetric type (or is a thread id of a symmetric process set) is relabelled.
    LIMITATION: only symmetric types used as map keys, set elements, values and process
    indices are permuted; the type checker forbids arithmetic and ordering on them.
    """
    if not spec.symmetric:
        return ()
    sym_types: dict[str, list[int]] = {}
    for v in spec.variables:
        _collect_sym_types(v.type, sym_types)
    for name in spec.symmetric:
        sym_types.setdefault(name, [])
    # threads of processes indexed by a symmetric type
    thread_of: dict[tuple[str, int], int] = {(th.process, th.index): th.tid
                                             for th in spec.threads if th.index is not None}
    perms_per_type = []
    for name in spec.symmetric:
        vals = sym_types.get(name) or []
        perms_per_type.append((name, vals, list(itertools.permutations(vals))))
    out = []
    index_by_path = {(s.var, s.path): i for i, s in enumerate(slots)}
    key_types = _path_key_types(spec)
    for combo in itertools.product(*[p for _, _, p in perms_per_type]):
        maps = {name: dict(zip(vals, perm)) for (name, vals, _), perm in
                zip(perms_per_type, combo)}
        if all(all(a == b for a, b in m.items()) for m in maps.values()):
            continue
        tid_map: dict[int, int] = {}
        for th in spec.threads:
            sym = _process_symmetric_type(spec, th.process)
            if sym in maps and th.index is not None:
                tid_map[th.tid] = thread_of[(th.process, maps[sym][th.index])]
        if tid_map:
            maps["@thread"] = {th.tid: tid_map.get(th.tid, th.tid) for th in spec.threads}
        slot_perm = []
        for i, s in enumerate(slots):
            kts = key_types[s.var]
            new_path = tuple(
                maps[kt][p] if (kt in maps and isinstance(p, int)) else p
                for p, kt in zip(s.path, kts + (None,) * (len(s.path) - len(kts))))
            slot_perm.append((index_by_path[(s.var, new_path)], i))
        # new[j] = old[i] where j is the image of i
        perm = [0] * len(slots)
        for j, i in slot_perm:
            perm[j] = i
        value_maps: list[dict[int, int] | None] = []
        for j in range(len(slots)):
            src = slots[perm[j]]
            if src.symmetric in maps:
                value_maps.append(maps[src.symmetric])
            else:
                value_maps.append(None)
        out.append((tuple(perm), tuple(value_maps)))
    return tuple(out)


def _collect_sym_types(t: ir.Type, acc: dict[str, list[int]]) -> None:
    if isinstance(t, ir.IntType) and t.symmetric and t.symmetric != "@thread":
        acc.setdefault(t.symmetric, list(range(t.lo, t.hi + 1)))
    elif isinstance(t, ir.MapType):
        _collect_sym_types(t.key, acc)
        _collect_sym_types(t.value, acc)
    elif isinstance(t, ir.RecordType):
        for _, ft in t.fields:
            _collect_sym_types(ft, acc)
    elif isinstance(t, ir.SetType):
        _collect_sym_types(t.elem, acc)


def _path_key_types(spec: ir.Spec) -> dict[str, tuple[str | None, ...]]:
    """For each variable, the symmetric type name (or None) of each step of a slot path."""
    out: dict[str, tuple[str | None, ...]] = {}
    for v in spec.variables:
        kts: list[str | None] = []
        t = v.type
        while True:
            if isinstance(t, ir.MapType):
                kts.append(t.key.symmetric if isinstance(t.key, ir.IntType) else None)
                t = t.value
            elif isinstance(t, ir.SetType):
                kts.append(t.elem.symmetric if isinstance(t.elem, ir.IntType) else None)
                break
            elif isinstance(t, ir.RecordType):
                # LIMITATION: symmetric keys below a record field are not permuted
                break
            else:
                break
        out[v.name] = tuple(kts)
    return out


def _process_symmetric_type(spec: ir.Spec, process: str) -> str | None:
    for v in spec.variables:
        if v.kind == "pc" and v.process == process and isinstance(v.type, ir.MapType):
            k = v.type.key
            return k.symmetric if isinstance(k, ir.IntType) else None
    return None

