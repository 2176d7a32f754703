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

Fact = tuple[str, object, str]  # (lock, instance key or None or '*', 'read'|'write')


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


def _matches(state: frozenset[Fact], lock: str, key: object, mode: str) -> bool:
    for lk, k, m in state:
        if lk == lock and m == mode and (k == key or k == "*" or key == "*"):
            return True
    return False


class _Flow:
    def __init__(self, el: object, locks: set[str], sink: Sink | None):
        self.el = el
        self.locks = locks
        self.sink = sink

    def stmts(self, state: frozenset[Fact], body: tuple[S.Stmt, ...] | list[S.Stmt]
              ) -> frozenset[Fact]:
        for st in body:
            state = self.stmt(state, st)
        return state

    def stmt(self, state: frozenset[Fact], st: S.Stmt) -> frozenset[Fact]:
        if isinstance(st, S.Atomic):
            return self.stmts(state, st.body)
        if isinstance(st, S.If):  # only inside atomic
            a = self.stmts(state, st.then)
            b = self.stmts(state, st.other or ())
            return a | b
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
            return state | {(name, key, op.mode)}
        if op.action in ("release", "downgrade"):
            if self.sink is not None and not _matches(state, name, key, op.mode):
                mode = " for write" if op.action == "downgrade" or (
                    op.mode == "write" and call.func.startswith("up_")) else (
                    " for read" if op.mode == "read" else "")
                self.sink.error("MMS311", f"{call.func}() releases '{name}', which this "
                                f"thread never holds{mode} here", call.span,
                                expected="a release on a path where the lock was acquired",
                                notes=("on every path to this step the lock is not held "
                                       "by this thread",))
            out = {f for f in state if not (f[0] == name and f[1] == key and
                                            (f[2] == op.mode or op.action == "downgrade"))}
            if op.action == "downgrade":
                out.add((name, key, "read"))
            return frozenset(out)
        return state


def check_releases(cfg: ProcessCFG, el: object, sink: Sink) -> None:
    locks = set(el.sy.locks)  # type: ignore[attr-defined]
    flow = _Flow(el, locks, None)
    inn: dict[int, frozenset[Fact]] = {cfg.entry: frozenset()}
    todo = [cfg.entry]
    while todo:
        p = todo.pop()
        if p == cfg.end:
            continue
        for alt in cfg.alts.get(p, []):
            assert alt.node.stmt is not None
            out = flow.stmt(inn[p], alt.node.stmt)
            old = inn.get(alt.next)
            new = out if old is None else old | out
            if new != old:
                inn[alt.next] = new
                todo.append(alt.next)
    report = _Flow(el, locks, sink)
    for p in cfg.points:
        for alt in cfg.alts.get(p, []):
            assert alt.node.stmt is not None
            report.stmt(inn.get(p, frozenset()), alt.node.stmt)
