"""Compiling a GroundSystem into Python functions, once per run.

This is also the API the liveness engine (and anything else that walks the state space)
builds on:

    cs = CompiledSystem(system)
    n = cs.layout.pack(state)          # state tuple -> packed int
    state = cs.layout.unpack(n)        # and back
    cs.succ(n) -> [(ti, m), ...]       # every enabled transition index (in
                                       # system.transitions order) and its packed successor;
                                       # m == -1 when the successor leaves a non-wrap range
    cs.canon(n)                        # orbit representative (identity without symmetry)
    cs.invok(n)                        # do all invariants hold in n?

`cs.kernel(cfg)` is the chunk expander the BFS uses (see codegen.py for its protocol).
Generated sources are kept in `cs.sources` (name -> text) for debugging.
"""
from __future__ import annotations

from typing import Any, Callable

from mmspec.ground import GroundSystem

from checker.explicit import codegen
from checker.explicit.layout import Layout


def _load(src: str, name: str) -> Callable[..., Any]:
    # Our own generated text (integers, slot-derived names, operator strings), never spec
    # text: see codegen.py. Compiled once per run.
    ns: dict[str, Any] = {}
    exec(compile(src, f"<mmspec-{name}>", "exec"), ns)  # noqa: S102
    return ns[name]  # type: ignore[no-any-return]


class CompiledSystem:
    def __init__(self, system: GroundSystem):
        self.system = system
        self.layout = Layout.of(system)
        self.sources: dict[str, str] = {}
        self._succ: Callable[[int], list[tuple[int, int]]] | None = None
        self._canon: Callable[[int], int] | None = None
        self._invok: Callable[[int], bool] | None = None

    def _get(self, name: str, src: str) -> Callable[..., Any]:
        self.sources[name] = src
        return _load(src, name)

    @property
    def succ(self) -> Callable[[int], list[tuple[int, int]]]:
        if self._succ is None:
            self._succ = self._get("succ", codegen.successors_source(self.system, self.layout))
        return self._succ

    @property
    def canon(self) -> Callable[[int], int]:
        if self._canon is None:
            if self.system.symmetries:
                self._canon = self._get("canon", codegen.canon_source(self.system, self.layout))
            else:
                self._canon = _identity
        return self._canon

    @property
    def invok(self) -> Callable[[int], bool]:
        if self._invok is None:
            self._invok = self._get("invok",
                                    codegen.invariant_source(self.system, self.layout))
        return self._invok

    def kernel(self, cfg: codegen.Config) -> tuple[Callable[..., Any], list[int]]:
        """The chunk expander for `cfg` and the transitions that need a lock-order set."""
        src, los = codegen.kernel_source(self.system, self.layout, cfg)
        return self._get("expand", src), los


def _identity(n: int) -> int:
    return n
