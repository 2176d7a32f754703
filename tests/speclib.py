"""Shared helpers for the spec library tests (tests/test_specs_*.py).

Each topic's test module declares its folder and its variants with their expectations; the
helpers load, ground and check a variant with the explicit engine, and read traces back as
(thread, step) pairs, which is how the hand derivations in the READMEs are written.
"""
from __future__ import annotations

import pathlib
import re

from checker.explicit import check
from checker.report import judge
from checker.options import CheckOptions
from mmspec.frontend import load_spec
from mmspec.ground import ground

SPECS_ROOT = pathlib.Path(__file__).resolve().parent.parent / "specs"
LABEL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*):")


class SpecFolder:
    """One topic folder of specs/ and its variants: {name: (expect kind, expect name)}."""

    def __init__(self, folder: str, specs: dict[str, tuple[str | None, str | None]]):
        self.folder = SPECS_ROOT / folder
        self.specs = specs

    def path(self, name: str) -> str:
        return str(self.folder / f"{name}.mms")

    def run(self, name: str, defines: dict[str, int] | None = None, **options):
        """(spec, ground system, explicit-engine result) for one variant."""
        spec = load_spec(self.path(name), defines=defines)
        system = ground(spec)
        return spec, system, check(system, CheckOptions(**options))

    def assert_declares(self, name: str) -> None:
        """The file loads, is named after itself and expects what the table says."""
        spec = load_spec(self.path(name))
        assert spec.name == name
        assert (spec.expect.kind, spec.expect.name) == self.specs[name]

    def assert_judged_met(self, name: str) -> None:
        """The CLI's verdict (checker.report.judge) says the expectation is met."""
        _, _, result = self.run(name)
        outcome = judge(result)
        assert outcome.met is True, outcome.summary

    def assert_only_the_expected_violation(self, name: str) -> None:
        """A fixed variant has no violation; a buggy one exactly the one it expects."""
        kind, prop = self.specs[name]
        _, _, result = self.run(name)
        if kind is None:
            assert result.verdict == "ok" and result.violations == []
        else:
            v = only_violation(result)
            assert v.kind == kind
            if prop is not None:
                assert v.property == prop

    def assert_holds_exactly_the_named_variants(self) -> None:
        assert sorted(p.stem for p in self.folder.glob("*.mms")) == sorted(self.specs)
        assert (self.folder / "README.md").exists()


def steps(trace) -> list[tuple[str | None, str | None]]:
    """(thread, step label) of every step of a trace, the initial state left out."""
    return [(s.process, s.step) for s in trace.steps[1:]]


def taken(step) -> str | None:
    """The label written on the source line of the statement a trace step executed."""
    line = pathlib.Path(step.span.file).read_text().splitlines()[step.span.line - 1]
    m = LABEL.match(line)
    return m.group(1) if m else None


def only_violation(result):
    assert len(result.violations) == 1, [(v.kind, v.property) for v in result.violations]
    return result.violations[0]


def of_kind(result, kind: str) -> list:
    return [v for v in result.violations if v.kind == kind]
