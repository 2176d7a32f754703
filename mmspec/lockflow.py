"""Static check: a lock released on a path where this thread can never hold it (MMS311).

A may-hold dataflow over one process's steps: the facts are (lock, instance, mode) triples
the thread may hold on entry to each step boundary; acquires and trylocks add, releases
remove the exact instance. A release (unlock, up_read, up_write, downgrade_write) with no
matching fact on any path is certainly a misuse, reported before any state is explored.
Lock-array instances with a non-constant index are tracked as '*' (any instance).
"""
from __future__ import annotations

from mmspec import syntax as S
from mmspec.cfg import ProcessCFG
from mmspec.diagnostics import Sink
from mmspec.lockops import OPS

Key = tuple[str, object, str]  # (lock, instance key or None or '*', 'read'|'write')
# A flow state: the possible hold counts (0 .. CAP, CAP meaning "CAP or more") of each lock
# this thread may hold; a key that is absent can only be 0. Counting (instead of a held/not-held bit)
# keeps `lock(m); lock(m); unlock(m); unlock(m)` from being flagged: the second acquire is a
# self-deadlock reported at run time, and the releases after it are not the problem.
Flow = frozenset[tuple[Key, frozenset[int]]]
CAP = 4


def _get(state: Flow) -> dict[Key, frozenset[int]]:
    return dict(state)


def _join(a: Flow, b: Flow) -> Flow:
    da, db = _get(a), _get(b)
    out = {}
    for k in set(da) | set(db):
        out[k] = da.get(k, frozenset({0})) | db.get(k, frozenset({0}))
    return frozenset(out.items())


def _key(el: object, e: S.Expr) -> object:
    if isinstance(e, S.IndexExpr):
        idx = e.index
        if isinstance(idx, S.IntLit):
            return idx.value
        if isinstance(idx, S.Name):
            sy = el.sy  # type: ignore[attr-defined]
            kind = sy.kind_of(idx.id)
            if kind == "constant":
                return el.const_values.get(idx.id, "*")  # type: ignore[attr-defined]
            if kind == "enum member":
                return ("enum", idx.id)
        return "*"
    return None


def _lock_name(e: S.Expr) -> str | None:
    root = e.base if isinstance(e, S.IndexExpr) else e
    return root.id if isinstance(root, S.Name) else None


def _may_hold(state: Flow, lock: str, key: object, mode: str) -> bool:
    for (lk, k, m), counts in state:
        if lk == lock and m == mode and (k == key or k == "*" or key == "*") and \
                any(c > 0 for c in counts):
            return True
    return False


def _acquire(state: Flow, k: Key) -> Flow:
    d = _get(state)
    d[k] = frozenset(min(c + 1, CAP) for c in d.get(k, frozenset({0})))
    return frozenset(d.items())


def _release(state: Flow, k: Key) -> Flow:
    d = _get(state)
    if k in d:
        new: set[int] = set()
        for c in d[k]:
            new |= {CAP - 1, CAP} if c == CAP else {max(c - 1, 0)}
        d[k] = frozenset(new)
    return frozenset(d.items())


class _Flow:
    def __init__(self, el: object, locks: set[str], sink: Sink | None):
        self.el = el
        self.locks = locks
        self.sink = sink

    def stmts(self, state: Flow, body: tuple[S.Stmt, ...] | list[S.Stmt]) -> Flow:
        for st in body:
            state = self.stmt(state, st)
        return state

    def stmt(self, state: Flow, st: S.Stmt) -> Flow:
        if isinstance(st, S.Atomic):
            return self.stmts(state, st.body)
        if isinstance(st, S.If):  # only inside atomic
            a = self.stmts(state, st.then)
            b = self.stmts(state, st.other or ())
            return _join(a, b)
        call: S.CallStmt | S.Call | None = None
        if isinstance(st, S.CallStmt):
            call = st
        elif isinstance(st, S.Assign) and len(st.values) == 1 and \
                isinstance(st.values[0], S.Call):
            call = st.values[0]
        if call is None or call.func not in OPS or not call.args:
            return state
        name = _lock_name(call.args[0])
        if name is None or name not in self.locks:
            return state
        op = OPS[call.func]
        key = _key(self.el, call.args[0])
        if op.action in ("acquire", "acquire_queued", "trylock"):
            return _acquire(state, (name, key, op.mode))
        if op.action in ("release", "downgrade"):
            if self.sink is not None and not _may_hold(state, name, key, op.mode):
                mode = " for write" if op.action == "downgrade" or (
                    op.mode == "write" and call.func.startswith("up_")) else (
                    " for read" if op.mode == "read" else "")
                self.sink.error("MMS311", f"{call.func}() releases '{name}', which this "
                                f"thread never holds{mode} here", call.span,
                                expected="a release on a path where the lock was acquired",
                                notes=("on every path to this step the lock is not held "
                                       "by this thread",))
            out = _release(state, (name, key, op.mode))
            if op.action == "downgrade":
                out = _acquire(out, (name, key, "read"))
            return out
        return state


def check_releases(cfg: ProcessCFG, el: object, sink: Sink) -> None:
    locks = set(el.sy.locks)  # type: ignore[attr-defined]
    flow = _Flow(el, locks, None)
    inn: dict[int, Flow] = {cfg.entry: frozenset()}
    todo = [cfg.entry]
    while todo:
        p = todo.pop()
        if p == cfg.end:
            continue
        for alt in cfg.alts.get(p, []):
            assert alt.node.stmt is not None
            out = flow.stmt(inn[p], alt.node.stmt)
            old = inn.get(alt.next)
            new = out if old is None else _join(old, out)
            if new != old:
                inn[alt.next] = new
                todo.append(alt.next)
    report = _Flow(el, locks, sink)
    for p in cfg.points:
        for alt in cfg.alts.get(p, []):
            assert alt.node.stmt is not None
            report.stmt(inn.get(p, frozenset()), alt.node.stmt)
