"""Compact domains (issue 15 item 3): `lo..hi values {...}` declares the values a variable
takes, so a 31-bit counter that holds four values costs two bits of state, and assigning any
other value is a `range` violation in every engine."""
from __future__ import annotations

import pytest

from checker.options import CheckOptions
from mmspec.cli import _run_engine
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground
from tests.refeval import Model, bfs

READERS = """
const OFF = 0x40000000
var ref: 0..0x7fffffff{VALUES} = 1
process r[i in 1..2] {{
  a: ref := ref + 1
  b: ref := ref - 1
}}
invariant count: ref == 1 + card({{ i in 1..2 : r[i]@b }})
"""


def _load(tmp_path, text: str):
    f = tmp_path / "c.mms"
    f.write_text(text)
    return load_spec(str(f))


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc", "kind"])
def test_declared_values_keep_the_state_space_and_shrink_the_state(tmp_path, engine: str):
    """By hand: each reader is at a, b or done (3 x 3 = 9 pc pairs, all reachable since the
    readers are independent) and ref = 1 + (readers at b), so 9 states, with or without the
    declared set {1, 2, 3}. The slot holds an index 0..2 (2 bits) instead of 0..2^31-1."""
    compact = ground(_load(tmp_path, READERS.format(VALUES=" values {1, 2, 3}")))
    plain = ground(_load(tmp_path, READERS.format(VALUES="")))
    ref = [s for s in compact.slots if s.var == "ref"][0]
    assert (ref.lo, ref.hi, ref.values) == (0, 2, (1, 2, 3))
    for system in (compact, plain):
        res = _run_engine(engine, system, CheckOptions(depth=6))
        assert not res.violations
        if engine in ("explicit", "vector"):
            assert res.stats.distinct_states == 9
    if engine == "explicit":
        bits = [_run_engine(engine, s, CheckOptions()).stats.extra["state_bits"]
                for s in (compact, plain)]
        assert bits[0] + 29 == bits[1]  # 31 bits for 0..2^31-1, 2 for three values


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_a_value_outside_the_declared_set_is_a_range_violation(tmp_path, engine: str):
    """{1, 2, OFF + 1}: the first reader's a makes ref 2 (depth 1), the second's would make
    it 3, which is not declared: a range violation found expanding depth 1 (2 states in the
    trace). The reference evaluator (no grounding) finds it at the same depth."""
    spec = _load(tmp_path, READERS.format(VALUES=" values {1, 2, OFF + 1}"))
    ref = bfs(Model(spec))
    assert ref.violation_depth == 1 and {v.kind for v in ref.found} == {"range"}
    res = _run_engine(engine, ground(spec), CheckOptions(depth=4))
    v = res.violations[0]
    assert v.kind == "range" and len(v.trace.steps) == 2
    assert "outside its declared values {1, 2, 1073741825}" in v.message
    assert v.trace.steps[-1].state["ref"] == 2  # decoded, not the slot's index


def test_the_trace_and_the_initial_value_are_decoded(tmp_path):
    spec = _load(tmp_path, READERS.format(VALUES=" values {1, 2, 3, OFF + 1}").replace(
        "= 1\n", "in {1, OFF + 1}\n", 1))
    system = ground(spec)
    assert len(system.init) == 2
    res = _run_engine("explicit", system, CheckOptions())
    assert res.violations and res.violations[0].kind == "invariant"
    assert res.violations[0].trace.steps[0].state["ref"] == 2**30 + 1


@pytest.mark.parametrize("text, code", [
    ("var x: 0..10 values {1, 11} = 1\n", "MMS303"),   # a declared value outside lo..hi
    ("var x: 0..10 values {1, 2} = 3\n", "MMS303"),    # an initial value not declared
    ("var x: 0..10 values {1, y} = 1\nvar y: 0..1\n", "MMS302"),  # not a constant
])
def test_bad_declarations_are_coded_errors(tmp_path, text: str, code: str):
    with pytest.raises(SpecError) as e:
        _load(tmp_path, text)
    assert e.value.diagnostics[0].code == code


def test_a_compact_type_as_map_key_has_one_entry_per_value(tmp_path):
    spec = _load(tmp_path, "type K = 0..100 values {3, 7}\nvar m: map[K] bool = false\n"
                 "process p { a: m[7] := true }\ninvariant i: !m[3]\n")
    system = ground(spec)
    assert [s.name for s in system.slots if s.var == "m"] == ["m[3]", "m[7]"]
    assert not _run_engine("explicit", system, CheckOptions()).violations
