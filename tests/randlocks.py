"""Random small lock-taking specs, as .mms text, for the engine differential tests.

Two or three processes (one of them sometimes a process set, so threads share code and
symmetry applies) take and release mutexes, an rwsem and a lock array with nested
subclasses in random orders, sometimes by trylock, touching a shared counter on the way.
Nothing here is checked for sense: unlocking an unheld lock, recursive locking, deadlocks and
lock-order cycles are all outcomes the engines must agree on.
"""
from __future__ import annotations

import random
from pathlib import Path

from mmspec import ir
from mmspec.frontend import load_spec

HEADER = """spec randlocks{seed}
mutex A
mutex B
rwsem C
mutex M[1..2] class m
var x: wrap 0..3 = 0
var ok: bool = false
symmetric type Tid = 1..2
"""

LOCKS = ["A", "B", "C", "M[1]", "M[2]"]


def _acquire(r: random.Random, lock: str) -> tuple[str, str]:
    """(acquire statement, matching release) for one lock."""
    if lock == "C":
        if r.random() < 0.5:
            return "down_read(C)", "up_read(C)"
        return (f"down_write_nested(C, {r.randint(0, 1)})" if r.random() < 0.3
                else "down_write(C)"), "up_write(C)"
    if lock.startswith("M") and r.random() < 0.5:
        return f"mutex_lock_nested({lock}, {r.randint(0, 2)})", f"unlock({lock})"
    return f"lock({lock})", f"unlock({lock})"


def _body(r: random.Random, indent: str) -> list[str]:
    held: list[tuple[str, str]] = []
    out: list[str] = []
    for _ in range(r.randint(2, 5)):
        free = [lk for lk in LOCKS if lk not in [h[0] for h in held]]
        roll = r.random()
        if held and (roll < 0.35 or not free):
            i = len(held) - 1 if r.random() < 0.7 else r.randrange(len(held))
            out.append(indent + held.pop(i)[1])
        elif roll < 0.45:
            out.append(indent + "x := x + 1")
        elif roll < 0.55 and free:
            lk = r.choice([f for f in free if f != "C"] or ["A"])
            if lk != "C" and lk in free:
                out.append(indent + f"ok := mutex_trylock({lk})")
                out.append(indent + f"if ok {{ unlock({lk}) }}")
        elif free:
            lk = r.choice(free)
            acq, rel = _acquire(r, lk)
            out.append(indent + acq)
            held.append((lk, rel))
    for _, rel in reversed(held):
        if r.random() < 0.8:
            out.append(indent + rel)
    return out


def spec_text(seed: int) -> str:
    r = random.Random(seed)
    lines = [HEADER.format(seed=seed)]
    for p in range(r.randint(2, 3)):
        head = f"process p{p}[i in Tid]" if p == 0 and r.random() < 0.4 else f"process p{p}"
        lines.append(head + " {")
        lines += _body(r, "    ")
        lines.append("}")
    return "\n".join(lines) + "\n"


def load(seed: int, folder: Path) -> ir.Spec:
    path = folder / f"randlocks{seed}.mms"
    path.write_text(spec_text(seed))
    return load_spec(str(path))
