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


MAX_TABLE = 1 << 22  # entries of the value-remap table (G x slots x values), 32 MiB
BLOCK_ELEMENTS = 1 << 21  # states x group elements x slots per vectorised block
_MAXU = np.uint64(0xFFFFFFFFFFFFFFFF)


class Canonicaliser:
    """Orbit representatives of batches of packed states.

    The group is applied in blocks of permutations at once: the slot offsets of the batch,
    gathered through a (permutation, slot) index array into a (states, perms, slots) array,
    remapped through one table when some symmetry also maps values, shifted into place and
    OR-reduced into packed images; the least image per state wins. Blocks keep that array
    near BLOCK_ELEMENTS, so a big batch meets the group one permutation at a time and a
    small batch meets all of it in one go (which is what makes large groups affordable).
    """

    def __init__(self, system: GroundSystem, layout: Layout):
        self.layout = layout
        self.system = system
        self.syms = system.symmetries
        width = len(layout.fields)
        self.P = np.array([perm for perm, _ in self.syms], dtype=np.intp).reshape(
            len(self.syms), width)
        self.J = [np.array([j for j, f in enumerate(layout.fields) if f.bits and f.word == w],
                           dtype=np.intp) for w in range(layout.words)]
        self.shift = np.array([f.shift for f in layout.fields], dtype=np.uint64)
        remap = any(vm is not None for _, vmaps in self.syms for vm in vmaps) or any(
            layout.fields[j].lo != layout.fields[src].lo
            for perm, _ in self.syms for j, src in enumerate(perm))
        span = max((f.hi - f.lo + 1 for f in layout.fields), default=1)
        self.table: np.ndarray | None = None
        if remap:
            if len(self.syms) * width * span > MAX_TABLE:
                raise ValueError("symmetry group too large to canonicalise vectorised")
            table = np.zeros((len(self.syms), width, span), np.uint64)
            for g, (perm, vmaps) in enumerate(self.syms):
                for j, src in enumerate(perm):
                    fj, fs = layout.fields[j], layout.fields[src]
                    vm = vmaps[j]
                    for off in range(fs.hi - fs.lo + 1):
                        v = fs.lo + off
                        m = vm.get(v, v) if vm is not None else v
                        if not fj.lo <= m <= fj.hi:
                            raise ValueError("a symmetry maps a value outside its slot's range")
                        table[g, j, off] = m - fj.lo
            self.table = table

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
        G = len(self.syms)
        if not G or not n:
            return words
        width = len(lay.fields)
        offs = np.zeros((n, width), np.uint64)
        for i, f in enumerate(lay.fields):
            if f.bits:
                v = words[f.word] >> np.uint64(f.shift) if f.shift else words[f.word]
                offs[:, i] = v & np.uint64(f.mask)
        best = list(words)
        block = max(1, min(G, BLOCK_ELEMENTS // max(1, n * width)))
        for g0 in range(0, G, block):
            Pb = self.P[g0:g0 + block]
            nb = len(Pb)
            imgs = []
            for J in self.J:
                if not len(J):
                    imgs.append(np.zeros((n, nb), np.uint64))
                    continue
                v = offs[:, Pb[:, J]]  # (states, perms, slots of this word)
                if self.table is not None:
                    gi = np.arange(g0, g0 + nb, dtype=np.intp)[:, None]
                    v = self.table[gi, J[None, :], v.view(np.int64)]
                v <<= self.shift[J]
                imgs.append(np.bitwise_or.reduce(v, axis=2))
            if lay.words == 1:
                best = [np.minimum(best[0], imgs[0].min(axis=1))]
                continue
            alive = np.ones((n, nb), bool)
            for w in reversed(range(lay.words)):  # last word most significant
                x = np.where(alive, imgs[w], _MAXU)
                alive &= imgs[w] == x.min(axis=1)[:, None]
            pick = alive.argmax(axis=1)
            rows = np.arange(n)
            cand = [imgs[w][rows, pick] for w in range(lay.words)]
            less = np.zeros(n, bool)
            eq = np.ones(n, bool)
            for a, b in zip(cand[::-1], best[::-1]):
                less |= eq & (a < b)
                eq &= a == b
            best = [np.where(less, a, b) for a, b in zip(cand, best)]
        return best


def canonicaliser_fits(system: GroundSystem) -> bool:
    """Whether the value-remap table for the system's symmetries stays within MAX_TABLE."""
    width = len(system.slots)
    span = max((s.hi - s.lo + 1 for s in system.slots), default=1)
    return len(system.symmetries) * width * span <= MAX_TABLE
