"""Symmetry reduction: replace each state by the smallest packed state of its orbit.

`system.symmetries` lists every non-identity permutation as (perm, value_maps) with
new[j] = value_maps[j](old[perm[j]]). Packed words compared from the last one are states
compared by `layout.rank_key` (see layout.py), so `canon_tuple` and the vectorised `canon`
pick the same representative, and the same one as the explicit engine (the least packed
integer with slot 0 in the low bits): the BFS over orbits, and so its traces, agree.
"""
from __future__ import annotations

import numpy as np

from mmspec.ground import GroundSystem

from .layout import Layout, rank_key


class Canonicaliser:
    def __init__(self, system: GroundSystem, layout: Layout):
        self.layout = layout
        self.system = system
        self.syms = system.symmetries
        # per symmetry, per target slot j: (source slot, encode table or None)
        self.plans: list[list[tuple[int, np.ndarray | None]]] = []
        for perm, vmaps in self.syms:
            plan: list[tuple[int, np.ndarray | None]] = []
            for j, src in enumerate(perm):
                fj, fs = layout.fields[j], layout.fields[src]
                vm = vmaps[j]
                if vm is None and fj.lo == fs.lo:
                    plan.append((src, None))
                    continue
                table = np.zeros(fs.hi - fs.lo + 1, np.uint64)
                for off in range(fs.hi - fs.lo + 1):
                    v = fs.lo + off
                    m = vm.get(v, v) if vm is not None else v
                    if not fj.lo <= m <= fj.hi:
                        raise ValueError("a symmetry maps a value outside its slot's range")
                    table[off] = np.uint64((m - fj.lo) << fj.shift)
                plan.append((src, table))
            self.plans.append(plan)

    def canon_tuple(self, state: tuple[int, ...]) -> tuple[int, ...]:
        best = tuple(state)
        for perm, vmaps in self.syms:
            img = tuple((vm.get(state[p], state[p]) if vm is not None else state[p])
                        for p, vm in zip(perm, vmaps))
            if rank_key(img) < rank_key(best):
                best = img
        return best

    def canon(self, words: list[np.ndarray]) -> list[np.ndarray]:
        lay = self.layout
        n = len(words[0])
        if not self.syms or not n:
            return words
        offs: list[np.ndarray | None] = []  # per slot: value - lo as uint64
        for f in lay.fields:
            if f.bits == 0:
                offs.append(None)
                continue
            v = words[f.word] >> np.uint64(f.shift) if f.shift else words[f.word]
            offs.append(v & np.uint64(f.mask))
        best = list(words)
        for plan in self.plans:
            img = [np.zeros(n, np.uint64) for _ in range(lay.words)]
            for j, (src, table) in enumerate(plan):
                fj = lay.fields[j]
                if fj.bits == 0:
                    continue
                if table is not None:
                    part = table[offs[src]] if offs[src] is not None else np.full(n, table[0])
                else:
                    o = offs[src]
                    if o is None:
                        continue
                    part = o << np.uint64(fj.shift) if fj.shift else o
                img[fj.word] |= part
            if lay.words == 1:
                best = [np.minimum(best[0], img[0])]
            else:
                less = np.zeros(n, bool)
                eq = np.ones(n, bool)
                for a, b in zip(img[::-1], best[::-1]):  # last word most significant
                    less |= eq & (a < b)
                    eq &= a == b
                best = [np.where(less, a, b) for a, b in zip(img, best)]
        return best
