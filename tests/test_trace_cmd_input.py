"""Issue 12, Found 5: `mmspec trace` on a malformed ITF file is a usage error (exit 2) that
names the JSON path of the first problem, never a traceback; the file is read like a spec
(regular files only, size-capped, never blocking)."""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from checker.render.itf import ItfError, read_itf, write_itf
from checker.render.trace_cmd import rerender
from mmspec import cli
from tests.test_render_fixtures import abba, mutex_race


@pytest.fixture(scope="module")
def race_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    r = mutex_race()
    f = tmp_path_factory.mktemp("itf") / "race.itf.json"
    write_itf(f, r.violations[0].trace, r)
    return json.loads(f.read_text(encoding="utf-8"))


def trace_cli(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> str:
    f = tmp_path / "t.itf.json"
    f.write_bytes(content)
    assert cli.main(["trace", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mmspec: error: {f}: not a readable ITF trace: ")
    assert "internal error" not in err and "Traceback" not in err
    return err.split("not a readable ITF trace: ", 1)[1].strip()


def mutated(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> bytes:
    doc = copy.deepcopy(doc)
    cur: Any = doc
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return json.dumps(doc).encode()


def test_bad_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert trace_cli(tmp_path, b'{"states": ["\xff"]}', capsys) == \
        "$: not valid UTF-8 (byte 0xff at offset 13)"


def test_deep_nesting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert trace_cli(tmp_path, b"[" * 100_000 + b"]" * 100_000, capsys) == \
        "$: nested deeper than 100 levels (line 1)"


def test_not_json_and_nan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert trace_cli(tmp_path, b'{"states": [', capsys).startswith("$: not JSON: ")
    assert trace_cli(tmp_path, b'{"states": [{"x": NaN}]}', capsys) == "$: NaN is not JSON"


def test_wrong_states(tmp_path: Path, race_doc: dict[str, Any],
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert trace_cli(tmp_path, b"[]", capsys) == \
        "$: an ITF trace is a JSON object, got a list"
    assert trace_cli(tmp_path, b"{}", capsys) == "$: missing field 'states'"
    assert trace_cli(tmp_path, mutated(race_doc, ("states",), {}), capsys) == \
        "$.states: expected a list, got an object"
    assert trace_cli(tmp_path, mutated(race_doc, ("states", 1), 7), capsys) == \
        "$.states[1]: expected a state object, got a number"


def test_wrong_types(tmp_path: Path, race_doc: dict[str, Any],
                     capsys: pytest.CaptureFixture[str]) -> None:
    assert trace_cli(tmp_path, mutated(race_doc, ("states", 0, "count"), 1.5), capsys) == \
        "$.states[0].count: ITF has no fractional numbers, got 1.5"
    assert trace_cli(tmp_path, mutated(race_doc, ("states", 1, "#meta", "binding", 0), 3),
                     capsys) == \
        '$.states[1]["#meta"].binding[0]: expected a [name, value] pair, got a number'
    assert trace_cli(tmp_path, mutated(race_doc, ("#meta", "spec", "threads", 0, "tid"), "a"),
                     capsys) == '$["#meta"].spec.threads[0].tid: expected an integer, got a string'
    assert trace_cli(tmp_path, mutated(race_doc, ("#meta", "stats", "depth"), None), capsys) \
        == '$["#meta"].stats.depth: expected an integer, got null'


def test_unknown_type_tags(tmp_path: Path, race_doc: dict[str, Any],
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert trace_cli(tmp_path, mutated(race_doc, ("states", 0, "count"), {"#frac": [1, 2]}),
                     capsys) == ('$.states[0].count["#frac"]: unknown type tag \'#frac\' '
                                 "(known: #bigint, #set, #tup, #map)")
    assert trace_cli(tmp_path, mutated(race_doc, ("#meta", "spec", "variables", 0, "type",
                                                  "t"), "float"), capsys) == \
        ('$["#meta"].spec.variables[0].type.t: unknown type tag \'float\' (known: bool, int, '
         "enum, map, record, set, seq)")
    # a record of scalars may be a set element (a set of records); one holding a set may not
    assert trace_cli(tmp_path, mutated(race_doc, ("states", 0, "t.pc"),
                                       {"#set": [{"a": {"#set": []}}]}), capsys) == \
        ('$.states[0]["t.pc"]["#set"][0]: a set element or map key may be a record of '
         'scalars only')


def test_a_fifo_is_refused_without_blocking(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "p.itf.json")
    assert cli.main(["trace", str(tmp_path / "p.itf.json")]) == 2
    assert "cannot read it: it is a FIFO, not a regular file" in capsys.readouterr().err


def _paths(x: Any, p: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if p:
        yield p
    if isinstance(x, dict):
        for k, v in x.items():
            if k != "sources":
                yield from _paths(v, p + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _paths(v, p + (i,))


@pytest.mark.parametrize("fixture", [mutex_race, abba], ids=["race", "abba"])
def test_every_single_field_mutation_renders_or_is_rejected(tmp_path: Path,
                                                            fixture: Any) -> None:
    """Replace each field of a real trace (one at a time) by a value of the wrong type: the
    text re-render either works or raises ItfError; nothing else escapes."""
    r = fixture()
    f = tmp_path / "t.itf.json"
    write_itf(f, r.violations[0].trace, r)
    doc = json.loads(f.read_text(encoding="utf-8"))
    for path in _paths(doc):
        for value in (None, "x", 2, [1], {"#foo": 1}):
            f.write_bytes(mutated(doc, path, value))
            try:
                rerender(str(f), None, text=True)
            except ItfError:
                pass


def test_a_written_trace_still_reads_back(tmp_path: Path) -> None:
    r = abba()
    f = tmp_path / "t.itf.json"
    write_itf(f, r.violations[0].trace, r)
    trace, meta = read_itf(f)
    assert trace == r.violations[0].trace and meta["kind"] == r.violations[0].kind
