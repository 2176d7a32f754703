"""The explicit-state engine: breadth-first search over compiled transitions.

`check(system, options)` is the engine entry point (name "explicit"); `graph.build_graph`
returns the whole reachable state graph for the liveness checker. See search.py for the
order in which properties are checked, codegen.py for the compiled kernel.
"""
from checker.explicit.search import check

__all__ = ["check"]
