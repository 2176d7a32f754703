"""Liveness after the vector search, as the explicit engine does it after its own.

The properties are checked only when the safety search finished without a violation other
than a lock-order report; the graph is the one the search recorded (graph.py), or, when the
search ran under symmetry (orbit quotients and fairness do not mix simply), the one a second,
unreduced search records. The visited set is dropped first: liveness needs only the graph.
"""
from __future__ import annotations

import dataclasses
import time

from checker.liveness_common import liveness_to_check
from checker.liveness_arrays import check_liveness_arrays
from checker.result import CheckResult, ExitReason
from checker.searchloop import rss_mb

from .engine import VectorSearch
from .memory import give_back


def with_liveness(search: VectorSearch, result: CheckResult) -> CheckResult:
    system, options = search.system, search.options
    if not liveness_to_check(system, options, result):
        return result
    start = time.perf_counter()
    if search.graph is None:  # the search was reduced by symmetry: record the full graph
        opts = dataclasses.replace(options, symmetry=False, lock_order=False)
        search = VectorSearch(system, opts)
        full = search.run()
        if full.reason != ExitReason.DONE:
            result.reason = full.reason
            result.notes.append(f"liveness not checked: the state graph stopped at "
                                f"{full.reason.value}")
            return result
    limit = options.memory_limit
    if limit is not None and rss_mb() > limit:  # the analysis only adds to it
        result.reason = ExitReason.MEMORY_LIMIT
        result.notes.append("liveness not checked: the memory limit was reached by the search")
        return result
    search.visited = None  # type: ignore[assignment]  # only the graph is needed now
    give_back()  # its runs sat in the heap: hand the pages back before the analysis
    graph = search.array_graph()
    found = check_liveness_arrays(system, graph)
    result.violations.extend(found)
    if found:
        result.reason = ExitReason.VIOLATION
    result.stats.seconds += time.perf_counter() - start
    result.stats.extra["liveness_properties"] = len(system.liveness)
    result.stats.extra["graph_bytes"] = search.graph.nbytes if search.graph else 0
    return result
