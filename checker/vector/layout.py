"""Bit-packing of ground states into uint64 words.

Each slot stores `value - slot.lo` in the fewest bits that hold `hi - lo`. Slots fill words in
slot order and never straddle a word; the first slot of a word sits in its most significant
bits. So comparing packed words (word 0 first) is comparing the slot tuples
lexicographically: the minimum packed value of an orbit is the lexicographically smallest
state, whatever the word size, which keeps symmetry canonical forms independent of packing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmspec.ground import GroundSystem

WORD_BITS = 64


@dataclass(frozen=True)
class SlotField:
    word: int
    shift: int
    bits: int
    lo: int
    hi: int

    @property
    def mask(self) -> int:
        return (1 << self.bits) - 1


@dataclass(frozen=True)
class Layout:
    fields: tuple[SlotField, ...]
    words: int  # number of uint64 words per state (at least 1)
    word_bits: tuple[int, ...]  # bits used in each word

    @property
    def bits(self) -> int:
        return sum(self.word_bits)

    def pack(self, state: tuple[int, ...] | list[int]) -> tuple[int, ...]:
        out = [0] * self.words
        for f, v in zip(self.fields, state):
            out[f.word] |= (v - f.lo) << f.shift
        return tuple(out)

    def unpack(self, words: tuple[int, ...] | list[int]) -> tuple[int, ...]:
        return tuple(((int(words[f.word]) >> f.shift) & f.mask) + f.lo for f in self.fields)

    def pack_array(self, states: np.ndarray) -> list[np.ndarray]:
        """Pack an (n, width) int64 array of in-range states into `words` uint64 arrays."""
        n = states.shape[0]
        out = [np.zeros(n, np.uint64) for _ in range(self.words)]
        for i, f in enumerate(self.fields):
            if f.bits:
                v = (states[:, i] - f.lo).astype(np.uint64)
                out[f.word] |= v << np.uint64(f.shift)
        return out


def make_layout(system: GroundSystem) -> Layout:
    fields: list[SlotField] = []
    groups: list[list[tuple[int, int]]] = [[]]  # per word: (slot, bits)
    used = 0
    for i, s in enumerate(system.slots):
        if s.hi < s.lo:
            raise ValueError(f"slot {s.name} has an empty range")
        bits = (s.hi - s.lo).bit_length()
        if used + bits > WORD_BITS and groups[-1]:
            groups.append([])
            used = 0
        groups[-1].append((i, bits))
        used += bits
    placed: dict[int, SlotField] = {}
    word_bits = []
    for w, g in enumerate(groups):
        total = sum(b for _, b in g)
        word_bits.append(total)
        pos = total
        for i, bits in g:
            pos -= bits
            s = system.slots[i]
            placed[i] = SlotField(w, pos, bits, s.lo, s.hi)
    fields = [placed[i] for i in range(len(system.slots))]
    return Layout(tuple(fields), len(groups), tuple(word_bits))
