"""ITF: exact round trips of our traces, the ITF value encodings, and standalone re-rendering."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from checker.render.itf import (ItfError, decode_value, encode_value, read_itf,
                                result_from_meta, trace_to_itf, write_itf)
from checker.render.text import render_result
from checker.result import Trace, TraceStep
from mmspec import ir
from tests.test_render_fixtures import ALL, abba, mutex_race, rwsem_readers, spin_lasso


@pytest.mark.parametrize("name", sorted(ALL))
def test_round_trip_through_a_file(name: str, tmp_path: Path) -> None:
    r = ALL[name]()
    for v in r.violations:
        path = tmp_path / f"{name}.itf.json"
        write_itf(path, v.trace, r)
        trace, meta = read_itf(path)
        assert trace == v.trace
        assert meta["kind"] == v.kind and meta["property"] == v.property
        assert meta["source"] == r.spec.file


def test_itf_shape() -> None:
    r = rwsem_readers()
    doc = trace_to_itf(r.violations[0].trace, r)
    assert doc["#meta"]["format"] == "ITF"
    assert doc["vars"] == ["mm.writer", "mm.readers", "r.pc"]
    last = doc["states"][-1]
    assert last["mm.readers"] == {"#set": [0, 1]}
    assert last["r.pc"] == {"#map": [[1, "check"], [2, "check"]]}
    assert last["#meta"]["action"] == "r.down" and last["#meta"]["process"] == "r[2]"
    assert last["#meta"]["span"]["line"] == 5
    assert "loop" not in doc
    assert doc["#meta"]["spec"]["sources"][0]["text"].startswith("spec rwsem_readers")


def test_lasso_loop_and_lock_order_witnesses() -> None:
    r = spin_lasso()
    doc = trace_to_itf(r.violations[0].trace, r)
    assert doc["loop"] == 0
    assert read_itf(json.loads(json.dumps(doc)))[0].loop == 0
    r = abba()
    lo = r.violations[1]
    trace, meta = read_itf(json.loads(json.dumps(trace_to_itf(lo.trace, r))))
    back = result_from_meta(trace, meta)
    assert [v.kind for v in back.violations] == ["deadlock", "lock-order"]
    assert back.violations[1].details["witnesses"] == lo.details["witnesses"]
    assert back.violations[1].details["chain"] == lo.details["chain"]


def test_records_and_bigints() -> None:
    t = ir.RecordType((("pages", ir.IntType(1, 2)), ("locked", ir.BoolType())))
    assert encode_value({"pages": 1, "locked": True}, t) == {"pages": 1, "locked": True}
    assert encode_value({"a": 1}, ir.MapType(ir.EnumType("E", ("a",)), ir.IntType(0, 1))) == \
        {"#map": [["a", 1]]}
    big = 2 ** 60
    assert encode_value(big) == {"#bigint": str(big)}
    assert encode_value(-(2 ** 53)) == {"#bigint": str(-(2 ** 53))}
    assert encode_value(2 ** 53 - 1) == 2 ** 53 - 1
    assert decode_value({"#bigint": "-5"}) == -5
    assert decode_value({"#tup": [1, "a"]}) == (1, "a")


scalars = st.one_of(st.booleans(), st.integers(-(2 ** 70), 2 ** 70),
                    st.sampled_from(["idle", "reading", "<b>"]))
keys = st.one_of(st.booleans(), st.integers(-3, 3), st.sampled_from(["a", "b"]))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.frozensets(st.integers(-3, 3), max_size=4),
                            st.dictionaries(keys, inner, max_size=3),
                            st.tuples(inner, inner)),
    max_leaves=8)


@given(st.dictionaries(st.sampled_from(["x", "m.owner", "t.pc"]), values, min_size=1))
def test_any_state_round_trips(state: dict) -> None:
    # dict keys mixing True and 1 collide in Python already; the value round trip is exact
    trace = Trace((TraceStep(state), TraceStep(state, "A", "A(i=1)", None, None, (("i", 1),),
                                               ir.Span("f.mms", 1, 1, 1, 2))))
    doc = json.loads(json.dumps(trace_to_itf(trace)))
    assert read_itf(doc)[0] == trace


def test_reads_foreign_itf_without_our_meta() -> None:
    doc = {"#meta": {"format": "ITF", "source": "Counter.qnt"}, "vars": ["x", "s"],
           "states": [{"#meta": {"index": 0}, "x": {"#bigint": "0"}, "s": {"#set": []}},
                      {"#meta": {"index": 1}, "x": {"#bigint": "1"}, "s": {"#set": [1]}}]}
    trace, meta = read_itf(doc)
    assert [s.state for s in trace.steps] == [{"x": 0, "s": frozenset()},
                                             {"x": 1, "s": frozenset({1})}]
    text = render_result(result_from_meta(trace, meta))
    assert "x: 0 -> 1" in text and "s: +{1}" in text


def test_bad_input_is_an_itf_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text("{nope")
    with pytest.raises(ItfError):
        read_itf(p)
    with pytest.raises(ItfError):
        read_itf({"vars": []})
    with pytest.raises(ItfError):
        decode_value({"#unserializable": "f"})


def test_rerendered_text_equals_the_original() -> None:
    """A saved trace renders exactly as the live result did (one violation, no notes)."""
    for make in (mutex_race, rwsem_readers, spin_lasso):
        r = make()
        doc = json.loads(json.dumps(trace_to_itf(r.violations[0].trace, r)))
        assert render_result(result_from_meta(*read_itf(doc))) == render_result(r)
