"""Diagnostics as data, rendered in one place.

Every phase reports problems as `Diagnostic` values (code, message, span, what was expected,
notes) and raises one `SpecError` carrying all of them, so later phases can report every
unknown name or type error at once and the CLI renders them the same way everywhere:

    specs/x.mms:3:9: error[MMS204]: unknown name 'f_cout'
       3 |   put: f_cout := f_cout - 1
         |        ^^^^^^
       = expected: a variable, constant, or local (did you mean 'f_count'?)
"""
from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Iterable, Literal

from mmspec.ir import Span, SpecWarning

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    expected: str | None = None
    notes: tuple[str, ...] = field(default=())
    severity: Literal["error", "warning"] = "error"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)


class SpecError(Exception):
    """A user error in a spec: one or more diagnostics (never a traceback for the user)."""

    def __init__(self, diagnostics: Iterable[Diagnostic],
                 sources: dict[str, str] | None = None):
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        # The texts the front-end read (and only those): rendering never re-reads a file,
        # so a diagnostic cannot echo a file mmspec refused to read or that changed since.
        self.sources: dict[str, str] = dict(sources or {})
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.span}: {first.code}: {first.message}" if first else "error")

    def with_sources(self, sources: Iterable[tuple[str, str]]) -> "SpecError":
        """Attach texts read before the error (earlier ones win: they are what was parsed)."""
        for name, text in sources:
            self.sources.setdefault(name, text)
        return self


class Sink:
    """Collects diagnostics of one phase; duplicates (same code, span, message) are dropped."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._seen: set[tuple[str, str, Span]] = set()

    def error(self, code: str, message: str, span: Span, expected: str | None = None,
              notes: tuple[str, ...] = ()) -> None:
        key = (code, message, span)
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(Diagnostic(code, message, span, expected, notes))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(sorted(self.items, key=Diagnostic.sort_key))


def from_warning(w: SpecWarning, as_error: bool = False) -> Diagnostic:
    """A spec's warning (ir.SpecWarning) as a diagnostic to render, or as an error."""
    return Diagnostic(w.code, w.message, w.span, None, tuple(w.notes),
                      "error" if as_error else "warning")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate spelling, for 'did you mean' hints."""
    import difflib  # only when a name is unknown (start-up)

    best = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return best[0] if best else None


def _caret_line(src: str, col: int, width: int) -> str:
    """Spaces up to `col` (tabs kept so carets line up), then carets."""
    lead = "".join("\t" if ch == "\t" else " " for ch in src[: max(col - 1, 0)])
    return lead + "^" * max(width, 1)


MAX_SHOWN = 120


def _printable(line: str) -> str:
    """Control characters (binary junk) shown as '?' so columns still line up."""
    return "".join(ch if ch == "\t" or ch.isprintable() else "?" for ch in line)


def _window(line: str, col: int) -> tuple[str, int]:
    """A long line cut to the part around `col` (1-based); returns the text and new col."""
    if len(line) <= MAX_SHOWN:
        return line, col
    start = max(col - 1 - 40, 0)
    end = min(start + MAX_SHOWN, len(line))
    text = line[start:end]
    new_col = col - start
    if start > 0:
        text = "..." + text
        new_col += 3
    if end < len(line):
        text += "..."
    return text, new_col


def render_diagnostic(d: Diagnostic, sources: dict[str, str]) -> str:
    s = d.span
    if s.line <= 0:
        head = f"{s.file}: {d.severity}[{d.code}]: {d.message}"
    else:
        head = f"{s.file}:{s.line}:{s.col}: {d.severity}[{d.code}]: {d.message}"
    out = [head]
    text = sources.get(s.file)
    if text is not None and s.line > 0:
        lines = text.splitlines()
        if s.line <= len(lines) or (s.line == len(lines) + 1):
            src = lines[s.line - 1] if s.line <= len(lines) else ""
            num = str(s.line)
            prefix = f"   {num} "
            blank = " " * len(prefix)
            if s.end_line == s.line and s.end_col > s.col:
                width = s.end_col - s.col
            elif s.end_line > s.line:
                width = max(len(src) - s.col + 1, 1)
            else:
                width = 1
            shown, col = _window(_printable(src), s.col)
            width = min(width, max(len(shown) - col + 1, 1))
            out.append(f"{prefix}| {shown}".rstrip())
            out.append(f"{blank}| {_caret_line(shown, col, width)}")
    if d.expected:
        out.append(f"   = expected: {d.expected}")
    for n in d.notes:
        out.append(f"   = note: {n}")
    return "\n".join(out) + "\n"


def render_diagnostics(diags: Iterable[Diagnostic], sources: dict[str, str]) -> str:
    """All diagnostics, each with its source line and carets, in the order given."""
    return "".join(render_diagnostic(d, sources) for d in diags)
