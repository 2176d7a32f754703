"""Renderers: pure functions from a CheckResult or Trace to text for people and for CI.

text (terminal), itf (Informal Trace Format JSON), html (one self-contained page), junit and
sarif (CI annotations). None of them needs more than the result and the spec's source text,
so a trace saved as ITF can be re-rendered later (`trace_cmd.rerender`).
"""
from __future__ import annotations

__all__ = ["diff", "expect", "html", "itf", "junit", "locks", "sarif", "sources", "specmeta",
           "text", "trace_cmd"]
