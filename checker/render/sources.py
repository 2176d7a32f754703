"""Spec source lines by span, for showing the line a step or property comes from."""
from __future__ import annotations

import os

from mmspec import ir


class Sources:
    """The spec's files as lines. Spans name files as the front-end saw them; a path that
    differs only in directory prefix (absolute vs relative) still finds its text."""

    def __init__(self, sources: tuple[tuple[str, str], ...] | list[tuple[str, str]]):
        self.files: dict[str, list[str]] = {f: text.splitlines() for f, text in sources}

    def _lines(self, file: str) -> list[str] | None:
        if file in self.files:
            return self.files[file]
        norm = os.path.normpath(file)
        for f, lines in self.files.items():
            nf = os.path.normpath(f)
            if nf == norm or nf.endswith(os.sep + norm) or norm.endswith(os.sep + nf):
                return lines
        return None

    def file_key(self, file: str) -> str | None:
        """The key in `files` that `file` refers to, if any."""
        lines = self._lines(file)
        for f, ls in self.files.items():
            if ls is lines:
                return f
        return None

    def line(self, span: ir.Span | None) -> str | None:
        if span is None or span.line <= 0:
            return None
        lines = self._lines(span.file)
        if lines is None or span.line > len(lines):
            return None
        return lines[span.line - 1]


def where(span: ir.Span | None) -> str:
    """`file:line`, or "" for no (or a builtin) span."""
    if span is None or span.line <= 0:
        return ""
    return f"{span.file}:{span.line}"
