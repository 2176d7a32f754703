"""The hand-written BFS the explicit-engine issue compares against ("a plain dict-of-tuples
BFS in Python"): GRID and RWSEM coded directly as Python, states as tuples, a dict of
parents, a deque. No spec, no checker: the ceiling a careful programmer reaches by hand.

    python bench/handwritten.py grid 6 9
    python bench/handwritten.py rwsem 5 9

Prints `distinct seconds`; bench/run.py runs it in a fresh process per measurement.
"""
from __future__ import annotations

import sys
import time
from collections import deque


def grid(k: int, m: int) -> int:
    init = (0,) * k
    parent = {init: None}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        for i in range(k):
            if s[i] < m:
                n = s[:i] + (s[i] + 1,) + s[i + 1:]
                if n not in parent:
                    parent[n] = s
                    queue.append(n)
    return len(parent)


IDLE, READING, WRITING = 0, 1, 2


def rwsem(n: int, k: int) -> int:
    # state: (pc tuple, ops tuple, readers, writer) flattened into one tuple
    init = (IDLE,) * n + (0,) * n + (0, 0)
    parent = {init: None}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        readers, writer = s[2 * n], s[2 * n + 1]
        assert writer == 0 or readers == 0
        for i in range(n):
            pc, ops = s[i], s[n + i]
            succ = None
            if pc == IDLE and writer == 0:
                l = list(s)
                l[i] = READING
                l[2 * n] = readers + 1
                succ = [tuple(l)]
                if readers == 0:
                    l = list(s)
                    l[i] = WRITING
                    l[2 * n + 1] = i + 1
                    succ.append(tuple(l))
            elif pc == READING and ops < k:
                l = list(s)
                l[i], l[n + i], l[2 * n] = IDLE, ops + 1, readers - 1
                succ = [tuple(l)]
            elif pc == WRITING and ops < k:
                l = list(s)
                l[i], l[n + i], l[2 * n + 1] = IDLE, ops + 1, 0
                succ = [tuple(l)]
            for x in succ or ():
                if x not in parent:
                    parent[x] = s
                    queue.append(x)
    return len(parent)


def main() -> None:
    model, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start = time.perf_counter()
    distinct = grid(a, b) if model == "grid" else rwsem(a, b)
    print(distinct, f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
