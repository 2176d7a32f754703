"""The nodes of a process's control-flow graph and the names the builder treats specially.

Data only (see `mmspec.cfg` for how a process body becomes these nodes and its steps).
"""
from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec import syntax as S
from mmspec.ir import Span

DONE = "done"
WAIT_LOOPS = frozenset({"wait_event", "rcuwait_wait_event"})
TASK_WORK_RUNS = frozenset({"return_to_user", "exit_task_work"})
MAX_INLINE_DEPTH = 32
MAX_NODES = 20_000


@dataclass
class Ref:
    """A forward reference to a node, patched once the node exists."""

    target: int | None = None
    forward: "Ref | None" = None

    def resolve(self) -> int | None:
        r: Ref = self
        seen = 0
        while r.forward is not None and seen < 10_000:
            r = r.forward
            seen += 1
        return r.target


@dataclass
class Node:
    id: int
    kind: str  # 'simple' | 'skip' (implicit pc-only) | 'branch' | 'goto' | 'end'
    label: str
    span: Span
    stmt: S.Stmt | None = None
    next: Ref | None = None
    alts: list[tuple[S.Expr | None, bool, Ref]] = field(default_factory=list)
    goto: str | None = None
    goto_span: Span | None = None
    split: bool = False  # an if/while whose test is a step of its own (option split_tests)
    frames: tuple[int, ...] = ()  # the proc activations (inlined calls) this node is in
    inner: tuple[int, ...] = ()  # activations entered and left inside this node (atomic)
    ret: bool = False  # the `return e` of an `x := f(...)`: a load and a store in one step
    might_sleep: S.CallStmt | None = None  # wait_event()/rcuwait_wait_event()'s first step


@dataclass
class Alt:
    """One way to take a step from a point."""

    conds: tuple[tuple[S.Expr, bool], ...]  # branch tests and their polarity, outermost first
    node: Node  # simple or skip node executed
    next: int  # node id of the point reached (the END node for done)
    via: tuple[int, ...] = ()  # the if/while nodes whose tests this step evaluates


@dataclass
class ProcessCFG:
    name: str
    nodes: list[Node]
    entry: int
    end: int
    points: list[int]  # node ids of step boundaries, in source order
    alts: dict[int, list[Alt]]
    labels: dict[str, int]  # every statement label -> node
    locals: list[S.LocalVar]
    # proc activations: id -> the proc locals (renamed `f.t`) reset when it is left
    frame_locals: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def point_label(self, nid: int) -> str:
        return DONE if nid == self.end else self.nodes[nid].label
