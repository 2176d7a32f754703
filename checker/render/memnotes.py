"""One line per memory effect of a step under `option memory = lkmm` (docs/memory-model.md).

The lowering keeps, per memory location X, `X.n` kept writes and per thread `X.seen[t]`, the
oldest write of X thread t may still read. A step's raw changes of those say *that* a store
became visible to a thread; these notes say it in words, next to the thread's step:
"vseq: write 2 of 2 now visible to reader" (a read, fence, acquire or lock made it so), "x:
new write 3 (kept: 3)" (a store). A step that reads without a note read the oldest write it
could still see: a store newer than that had not reached it.
"""
from __future__ import annotations

import re
from typing import Any

from mmspec import ir

from checker.render.locks import thread_name


def memory_locations(spec: ir.Spec) -> list[str]:
    names = {v.name for v in spec.variables}
    return [v.name for v in spec.variables if v.kind == "state" and
            {f"{v.name}.n", f"{v.name}.seen", f"{v.name}.old"} <= names]


def memory_notes(spec: ir.Spec, locs: list[str], prev: dict[str, Any],
                 state: dict[str, Any], process: str | None,
                 source: str | None = None) -> list[str]:
    """`process` is the step's thread display name (None for an action); `source` the step's
    source line, where a read primitive names the location it read."""
    out: list[str] = []
    thread = next((t.tid for t in spec.threads if t.name == process), None)
    for x in locs:
        n_old, n_new = prev.get(f"{x}.n"), state.get(f"{x}.n")
        seen_old, seen_new = prev.get(f"{x}.seen"), state.get(f"{x}.seen")
        if not isinstance(seen_old, dict) or not isinstance(seen_new, dict):
            continue
        wrote = prev.get(x) != state.get(x) or n_old != n_new
        if wrote and thread in seen_new:
            out.append(f"{x}: new write {int(seen_new[thread]) + 1} of {n_new} kept "
                       f"(the coherence-latest), by {thread_name(spec, thread)}")
            continue
        for t, j in seen_new.items():
            if seen_old.get(t) != j and not wrote:
                out.append(f"{x}: write {int(j) + 1} of {n_new} now visible to "
                           f"{thread_name(spec, t)}")
        if thread is not None and source and _reads(source, x) and not wrote and \
                seen_old.get(thread) == seen_new.get(thread) and n_new is not None and \
                int(seen_new.get(thread, 0)) < int(n_new) - 1:
            out.append(f"{x}: {thread_name(spec, thread)} read write "
                       f"{int(seen_new[thread]) + 1} of {n_new}: the newer ones had not "
                       "reached it")
    return out


def _reads(source: str, x: str) -> bool:
    return re.search(r"\b(READ_ONCE|smp_load_acquire|rcu_dereference|cmpxchg\w*)\(\s*" +
                     re.escape(x) + r"\b", source) is not None
