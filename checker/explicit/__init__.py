"""The explicit-state engine: breadth-first search over compiled transitions.

`check(system, options)` is the engine entry point (name "explicit"): the safety search
(search.py), then, when the spec has liveness properties and the search finished without a
safety violation, the whole state graph (graph.py) handed to the liveness checker
(checker/liveness.py). See codegen.py for the compiled kernel.
"""
from __future__ import annotations

import time

from mmspec.ground import GroundSystem

from checker.liveness import check_liveness, liveness_to_check
from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason
from checker.explicit.compiled import CompiledSystem
from checker.explicit.graph import build_graph
from checker.explicit.search import Search

__all__ = ["check"]


def check(system: GroundSystem, options: CheckOptions | None = None) -> CheckResult:
    """Explore every reachable state of `system` breadth-first; then check liveness."""
    options = options or CheckOptions()
    compiled = CompiledSystem(system)
    result = Search(system, options, compiled).run()
    if not liveness_to_check(system, options, result):
        return result
    start = time.perf_counter()
    graph = build_graph(system, options, compiled)
    if graph.reason != ExitReason.DONE:
        result.reason = graph.reason
        result.notes.append(f"liveness not checked: the state graph stopped at "
                            f"{graph.reason.value}")
        return result
    found = check_liveness(system, graph)
    result.violations.extend(found)
    if found:
        result.reason = ExitReason.VIOLATION
    result.stats.seconds += time.perf_counter() - start
    result.stats.extra["liveness_properties"] = len(system.liveness)
    return result
