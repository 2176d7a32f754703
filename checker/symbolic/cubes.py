"""Cubes and lemmas over slot-value literals, IC3's vocabulary (checker/symbolic/ic3.py),
in plain Python (the z3 side stays in ic3.py):
a literal says `slot == v`, `slot <= v` or `slot >= v`; a cube is a sorted conjunction of
literals; a lemma is a cube's negation, and the invariant the conjunction of the lemmas."""
from __future__ import annotations

EQ, LE, GE = 0, 1, 2  # a literal says slot == v, slot <= v or slot >= v
Lit = tuple[int, int, int]  # (slot, op, value)
Cube = tuple[Lit, ...]  # sorted literals


def holds(op: int, x: int, v: int) -> bool:
    return x == v if op == EQ else (x <= v if op == LE else x >= v)


def _implies(a: Lit, b: Lit) -> bool:
    """Literal a implies literal b (both on one slot)."""
    if a[0] != b[0]:
        return False
    if a[1] == EQ:
        return holds(b[1], a[2], b[2])
    return a[1] == b[1] and holds(a[1], a[2], b[2])


def subsumes(lemma: Cube, cube: Cube) -> bool:
    """Every state of `cube` lies in `lemma` (so blocking `lemma` blocks `cube`)."""
    return all(any(_implies(a, b) for a in cube) for b in lemma)


def minimal(cubes: set[Cube]) -> set[Cube]:
    """Drop every cube that lies inside another (its lemma is implied)."""
    out: set[Cube] = set()
    for c in sorted(cubes, key=lambda c: (len(c), c)):
        if not any(subsumes(d, c) for d in out):
            out.add(c)
    return out
