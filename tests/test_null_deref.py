"""A field of an object read or written through NULL (object 0) is a `null-deref` violation,
the kernel's "BUG: kernel NULL pointer dereference" (mmspec/context_passes.py). A map over
a pool type has a slot for 0, so before this check such an access silently read a value
that does not exist: a forgotten `if (!vma)` was a race defined away."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.contexts import annotate
from checker.options import CheckOptions
from mmspec.cli import _run_engine
from mmspec.frontend import load_spec
from mmspec.ground import ground

# mapper publishes a Vma in `tree`; fault looks it up and reads its vm_mm
NULL = """spec nullp
objects Vma[1]
var vm_mm: map[Vma] 0..2
var tree: Vma = 0
process mapper {
  var v: Vma = 0
m0: v := alloc(Vma)
m1: vm_mm[v] := 1
m2: tree := v
}
process fault {
  var v: Vma = 0
  var mm: 0..2 = 0
f0: v := tree
f1: LOOKUP
}
"""
UNCHECKED = "mm := vm_mm[v]"
CHECKED = "if v != 0 { mm := vm_mm[v] }"
IN_ATOMIC = "atomic { if v != 0 { mm := vm_mm[v] } }"


def _run(tmp_path: Path, text: str, engine: str):
    f = tmp_path / "n.mms"
    f.write_text(text, encoding="utf-8")
    r = _run_engine(engine, ground(load_spec(str(f))), CheckOptions(depth=10))  # type: ignore[arg-type]
    annotate(r)
    return r


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_lookup_without_null_check(tmp_path, engine):
    r = _run(tmp_path, NULL.replace("LOOKUP", UNCHECKED), engine)
    [v] = r.violations
    assert v.kind == "null-deref"
    # by hand: fault's f0 reads tree while it is still 0 (1 step); its f1 then reads
    # vm_mm[0] (mapper need not move at all)
    assert len(v.trace.steps) - 1 == 1 and v.trace.steps[1].label == "fault: f0"
    assert v.details["action"] == "fault: f1" and v.details["object"] == "Vma NULL"
    assert v.details["reason"] == "null-ptr-deref"
    assert v.message.startswith("BUG: kernel NULL pointer dereference: fault: f1")


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
@pytest.mark.parametrize("lookup", [CHECKED, IN_ATOMIC])
def test_lookup_behind_a_null_check(tmp_path, engine, lookup):
    r = _run(tmp_path, NULL.replace("LOOKUP", lookup), engine)
    assert r.violations == []


def test_write_through_null(tmp_path):
    """mapper stores into the Vma before allocating it: its first step writes vm_mm[0]."""
    text = NULL.replace("LOOKUP", CHECKED).replace("m0: v := alloc(Vma)\nm1: vm_mm[v] := 1",
                                                     "m1: vm_mm[v] := 1\nm0: v := alloc(Vma)")
    [v] = _run(tmp_path, text, "explicit").violations
    assert v.kind == "null-deref" and v.details["action"] == "mapper: m1"
    assert len(v.trace.steps) - 1 == 0  # the very first step of mapper


def test_expect_null_deref_and_sarif(tmp_path, capsys):
    from mmspec import cli
    f = tmp_path / "n.mms"
    f.write_text(NULL.replace("LOOKUP", UNCHECKED) + "expect null-deref\n", encoding="utf-8")
    sarif = tmp_path / "out.sarif"
    code = cli.main(["check", str(f), "--quiet", "--format", "json", "--sarif", str(sarif)])
    rec = json.loads(capsys.readouterr().out)
    assert code == 0 and (rec["kind"], rec["expected"], rec["met"]) == \
        ("null-deref", "null-deref", True)
    run = json.loads(sarif.read_text())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert "NullPointerDereference" in {r["name"] for r in rules}
