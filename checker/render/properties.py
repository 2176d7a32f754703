"""The properties a spec checks, one entry per JUnit test case / SARIF rule target.

A spec's properties are its invariants, in-step assertions, deadlock freedom, liveness
properties, lock order and value ranges; a violation is attributed to the property it names
(using the same name matching as `expect`), so a CI report lists what held as well as what
broke.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from mmspec import ir

from checker.render.expect import matches
from checker.result import CheckResult, Violation


@dataclass(frozen=True)
class Property:
    kind: str
    name: str | None  # None: the kind as a whole (deadlock, lock-order, range)
    span: ir.Span | None = None

    @property
    def title(self) -> str:
        if self.kind == "assertion":
            return f"assertion: {self.name}"
        return f"{self.kind} {self.name}" if self.name else self.kind

    def covers(self, v: Violation) -> bool:
        if self.kind != v.kind:
            return False
        # a property's kind is a violation kind: the expectation it would be, to match with
        return self.name is None or matches(ir.Expectation(cast(ir.ExpectKind, self.kind),
                                                           self.name), v)


def _has_int_ranges(spec: ir.Spec) -> bool:
    def walk(t: ir.Type) -> bool:
        if isinstance(t, ir.IntType):
            return not t.wrap
        if isinstance(t, ir.MapType):
            return walk(t.value)
        if isinstance(t, ir.RecordType):
            return any(walk(ft) for _, ft in t.fields)
        return False
    return any(walk(v.type) for v in spec.variables)


def spec_properties(spec: ir.Spec) -> list[Property]:
    """What the spec asks to hold, in a stable order."""
    out: list[Property] = [Property("invariant", i.name, i.span) for i in spec.invariants]
    seen: set[str] = set()
    for t in spec.transitions:
        for c in t.checks:
            if c.kind == "assertion" and c.message not in seen:
                seen.add(c.message)
                out.append(Property("assertion", c.message, c.span))
    if spec.check_deadlock or any(c.kind == "deadlock" for t in spec.transitions
                                  for c in t.checks):
        out.append(Property("deadlock", None))
    out.extend(Property("liveness", lv.name, lv.span) for lv in spec.liveness)
    if spec.check_lock_order and spec.locks:
        out.append(Property("lock-order", None))
    if _has_int_ranges(spec):
        out.append(Property("range", None))
    if any(c.kind == "refcount" for t in spec.transitions for c in t.checks):
        out.append(Property("refcount", None))
    return out


def attribute(result: CheckResult) -> list[tuple[Property, list[Violation]]]:
    """Every property with the violations it covers; violations of properties the spec did
    not declare (a render-only spec from ITF, a lock misuse) get a property of their own."""
    props = spec_properties(result.spec)
    table: list[tuple[Property, list[Violation]]] = [(p, []) for p in props]
    for v in result.violations:
        for p, vs in table:
            if p.covers(v):
                vs.append(v)
                break
        else:
            table.append((Property(v.kind, None if v.kind in ("deadlock", "lock-order", "range",
                                                              "refcount")
                                   else v.property, v.span), [v]))
    return table
