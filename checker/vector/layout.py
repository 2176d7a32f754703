"""Bit-packing of ground states into uint64 words.

Each slot stores `value - slot.lo` in the fewest bits that hold `hi - lo`. Slots fill words in
slot order from the least significant bit up and never straddle a word. A one-word state is
therefore the same integer as the explicit engine's packed state, and comparing packed words
from the last to the first compares states as if packed into one wide integer: the minimum
packed value of an orbit (the symmetry representative) is the same state in both engines,
whatever the word size: the smallest by `rank_key` (the slot tuple read from the last slot).
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
        pos = 0
        for i, bits in g:
            s = system.slots[i]
            placed[i] = SlotField(w, pos, bits, s.lo, s.hi)
            pos += bits
        word_bits.append(pos)
    fields = [placed[i] for i in range(len(system.slots))]
    return Layout(tuple(fields), len(groups), tuple(word_bits))


def rank_key(state: tuple[int, ...]) -> tuple[int, ...]:
    """Orders states as their packed values do: the last slot is the most significant."""
    return state[::-1]
