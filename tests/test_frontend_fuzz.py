"""Robustness: whatever the input, the front-end answers with a SpecError, never a traceback.

Random text, random bytes and random mutations of a valid spec go through the whole
front-end (parse, resolve, check, lower). Any exception other than SpecError is a bug; every
diagnostic must carry a registered code and render.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mmspec.diagnostics import SpecError, render_diagnostics
from mmspec.errorcodes import CODES
from mmspec.frontend import load_spec
from mmspec.ground import ground

VALID = """spec fuzz
const N = 2
symmetric type Tid = 1..N
type St = enum { IDLE, BUSY }
mutex m
rwsem L writer_pref
var x: 0..3 = 0
var s: St
var seen: set[Tid]
def small(v) = v < 3
proc crit() { lock(m); x := (x + 1) % 4; unlock(m) }
process P[i in Tid] fair {
  var ok: bool
  a: crit()
  if small(x) { s := BUSY } else { s := IDLE }
  atomic { seen := seen union {i}; assert i in seen, "added" }
  ok := down_read_trylock(L)
  if ok { up_read(L) }
  down_write(L); up_write(L)
}
action Reset when x == 3 { x' = 0 }
invariant inv: x <= 3 && (P[1]@a => !held(m, P[1]))
property live: eventually x == 0
option deadlock = false
"""

TOKENS = ["process", "var", "const", "mutex", "rwsem", "lock", "(", ")", "{", "}", "[", "]",
          ":=", "=", "==", ":", ";", ",", "x", "m", "P", "i", "in", "1..2", "0", "1", "if",
          "else", "while", "atomic", "await", "assert", "@", "'", "action", "when", "N",
          "\n", " ", "/*", "*/", "//", '"', "forall", "self", "held", "true", "-", "+"]

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def check_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.mms"
        p.write_bytes(data)
        try:
            spec = load_spec(str(p))
        except SpecError as e:
            assert e.diagnostics
            for diag in e.diagnostics:
                assert diag.code in CODES, diag
            text = data.decode("utf-8", errors="replace")
            assert render_diagnostics(e.diagnostics, {str(p): text})
            return
        ground(spec)  # whatever lowers must ground


def test_the_fuzz_base_spec_is_valid() -> None:
    check_bytes(VALID.encode())
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "ok.mms"
        p.write_text(VALID, encoding="utf-8")
        assert load_spec(str(p)).name == "fuzz"


@SETTINGS
@given(st.text(max_size=300))
@example("")
@example("process")
@example("process p {")
@example("/*")
@example('"')
@example("var x: 0..99999999999999999999999999")
@example("(" * 10_000)
@example("!" * 10_000 + "x")
def test_random_text(text: str) -> None:
    check_bytes(text.encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=300))
@example(b"\xff\xfe\x00")
@example(b"\x00" * 50)
def test_random_bytes(data: bytes) -> None:
    check_bytes(data)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_random_token_soup(tokens: list[str]) -> None:
    check_bytes(" ".join(tokens).encode())


@SETTINGS
@given(st.data())
def test_mutations_of_a_valid_spec(data: st.DataObject) -> None:
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
        pos = data.draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "delete":
            n = data.draw(st.integers(1, 12))
            text = text[:pos] + text[pos + n:]
        elif kind == "insert":
            text = text[:pos] + data.draw(st.sampled_from(TOKENS)) + text[pos:]
        elif kind == "replace":
            text = text[:pos] + data.draw(st.sampled_from(TOKENS)) + text[pos + 1:]
        else:
            lines = text.split("\n")
            a = data.draw(st.integers(0, len(lines) - 1))
            b = data.draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    check_bytes(text.encode("utf-8"))
