"""Grammar coverage: every construct of docs/language.md parses, checks, lowers and grounds.

Also: ASTs compare equal regardless of where the text sits (spans are not part of equality),
operator precedence as documented, and the JSON dumps behind `mmspec parse --dump`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmspec import ir
from mmspec import syntax as S
from mmspec.diagnostics import SpecError
from mmspec.frontend import ast_to_json, ir_to_json, load_spec, parse_file
from mmspec.ground import ground
from mmspec.parser import parse_text

EVERYTHING = """spec everything
include "common.mmsi"
const N = 2
const OFF = 100
const LIMIT = OFF - 1
symmetric type Tid = 1..N
type St = enum { NONE, NASCENT, LIVE }
type Vma = record { pages: 1..2, locked: bool }
type Binfmt = enum { ELF, FLAT }
var f_count: 0..2 = 2
var binfmt: Binfmt in {ELF, FLAT}
var ops: map[Tid] 0..3 = 0
var held: map[Tid] set[Tid] = {}
var v: record { pages: 1..2, locked: bool } = { pages: 1, locked: false }
var x: 0..3
var seq: wrap 0..3
var st: St
var ref: 0..OFF + 3
var in_cs: map[Tid] bool
ghost var freed: bool
var readers: set[Tid]
var m2: map[1..2] Vma = { pages: 2, locked: true }

def writer_only(n) = n != 0 && n >= OFF && n <= OFF + 1
def WAKE(n) = writer_only(n)

mutex i_mutex
spinlock ptl
rwsem mmap_lock
rwsem exec_update_lock writer_pref
type Mm = 1..2
rwsem ML[Mm] class mmap_lock

action StartRead(i in Tid) when ops[i] < 3 && !WAKE(ref) {
    ops'[i] = ops[i] + 1
    readers' = readers union {i}
}
action Pick(w in {1, 3}) { x' = w }
fair action Bump { seq' = seq + 1 }
fair strong action Pick

proc vma_start_read(l) {
  down_read(l)
  up_read(l)
}

process reader[r in Tid] fair {
    var n: 0..OFF + 3
    var ok: bool
  r1: n := ref
  r2: ref := if n + 1 <= OFF + 3 then n + 1 else n
    if self == 1 { in_cs[self] := true } else { skip }
    while n > 0 { n := n - 1 }
    either { x := 1 } or { x := 2 }
    pick n in {1, 2} where n != 3
    atomic { n := ref; ref := n; assert n == ref, "rmw" }
    ok := down_read_trylock(mmap_lock)
    if ok { up_read(mmap_lock) }
    vma_start_read(ML[1])
    await x > 0
  cs: down_write(exec_update_lock)
    up_write(exec_update_lock)
    down_write_nested(ML[2], 1)
    downgrade_write(ML[2])
    up_read(ML[2])
    assert held_by(i_mutex, reader[self]) == false
    goto done_lbl
  done_lbl: skip
}

process w final(idle) {
  idle: while true {
      atomic { lock(i_mutex); f_count := f_count - 1; if f_count == 0 { st := LIVE } }
      unlock(i_mutex)
      spin_lock(ptl); spin_unlock(ptl)
      x, seq := 1, 2
  }
}

invariant excl: forall r in Tid: in_cs[r] => !freed
helper invariant ref_shape: ref >= 0
invariant sets: card(readers) <= N && {1} subseteq {1, 2} && (readers minus {1}) == readers inter {2}
invariant q: exists r in readers: ops[r] >= 0 || readers == {}
invariant comp: { i in Tid : ops[i] > 0 } == {} || true
invariant maplit: [i in Tid |-> 0] == ops || true
invariant withs: (ops with [1] = 2)[1] == 2 && (v with .pages = 2).pages == 2 && (m2 with [1].locked = false)[1].locked == false
invariant preds: held(i_mutex, w) => !locked(ptl) || held_read(mmap_lock, reader[1]) || held_write(ML[1], reader[2])
invariant at: reader[1]@cs => !w@idle
invariant arith: 7 / 2 == 3 && -7 % 3 == 2 && min(1, 2) == 1 && max(1, 2) == 2 && 0x10 == 16
invariant iff: (true <=> !false) && (false => true)
property released: f_count == 0 leadsto f_count == 0
property term: eventually reader[1]@done
property progress: always eventually x == 0
option deadlock = false
option lockorder = true

"""


def write(tmp_path: Path, text: str, name: str = "t.mms") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_every_construct_lowers_and_grounds(tmp_path: Path) -> None:
    (tmp_path / "common.mmsi").write_text("const K = 1\n", encoding="utf-8")
    spec = load_spec(write(tmp_path, EVERYTHING))
    assert spec.name == "everything"
    assert dict(spec.consts) == {"K": 1, "N": 2, "OFF": 100, "LIMIT": 99}
    assert spec.symmetric == ("Tid",)
    kinds = {v.name: v.kind for v in spec.variables}
    assert kinds["freed"] == "ghost" and kinds["reader.n"] == "local"
    assert kinds["i_mutex.owner"] == "lock" and kinds["reader.pc"] == "pc"
    assert {lk.name: lk.kind for lk in spec.locks} == {
        "i_mutex": "mutex", "ptl": "spinlock", "mmap_lock": "rwsem",
        "exec_update_lock": "rwsem", "ML": "rwsem"}
    assert spec.variable("seq").type == ir.IntType(0, 3, wrap=True)
    assert not spec.check_deadlock
    names = {t.name for t in spec.transitions}
    assert {"StartRead", "Pick", "Bump", "reader.r1", "reader.cs", "reader.cs.acq",
            "w.idle"} <= names
    g = ground(spec)
    assert g.transitions and len(g.init) == 2
    json.dumps(ir_to_json(spec))


SNIPPETS = [
    "var x: bool",
    "var x: 0..3 = 2; var y: wrap 0..3",
    "type E = enum { A, B, }\nvar e: E in {A, B}",
    "var r: record { a: bool, b: 0..1 } = { a: true, b: 1 }",
    "var m: map[bool] set[0..2] = {}",
    "const N = 0x10\nvar x: 0..N",
    "var x: 0..3\naction A when x < 3 { x' = x + 1 }",
    "var x: 0..3\naction A(v in 1..2, w in {0, 3}) { x' = v + w - w }",
    "var m: map[1..2] record { f: 0..1 }\naction A(i in 1..2) { m'[i].f = 1 }",
    "var x: 0..1\nfair action A { x' = 1 }\nfair weak action B { x' = 0 }",
    "var x: 0..1\naction A { x' = 1 }\nfair strong action A",
    "var x: 0..1\nprocess p { skip; x := 1; await x == 1; assert x == 1; assert x == 1, \"m\" }",
    "var x: 0..1\nprocess p final(a) fair strong { a: await x == 1 }",
    "var x: 0..2\nprocess p[i in 1..2] { x := if self == 1 then 1 else 2 }",
    "var x: 0..2\nprocess p { l: while x < 2 { x := x + 1 }; goto l }\noption deadlock = false",
    "var x: 0..2\nprocess p { if x == 0 { x := 1 } else if x == 1 { x := 2 } else { skip } }",
    "var x: 0..2\nprocess p { either { x := 1 } or { x := 2 } or { skip } }",
    "var x: 0..2\nprocess p { var v: 0..2\n pick v in 1..2; pick v in {0, 2} where v > 0 }",
    "var x: 0..2\nprocess p { atomic { await x == 0; x := 1; if x == 1 { x := 2 } } }",
    "mutex m\nprocess p { mutex_lock(m); mutex_unlock(m); lock(m); unlock(m) }",
    "mutex m\nprocess p { mutex_lock_nested(m, 1); mutex_unlock(m) }",
    "spinlock s\nprocess p { var ok: bool\n spin_lock(s); spin_unlock(s); spin_lock_nested(s, 2); "
    "spin_unlock(s); ok := spin_trylock(s); if ok { spin_unlock(s) } }",
    "rwsem l\nprocess p { var ok: bool\n down_read_nested(l, 1); up_read(l); "
    "ok := down_write_trylock(l); if ok { up_write(l) } }",
    "mutex m[1..2]\nprocess p[i in 1..2] { lock(m[i]); unlock(m[i]) }",
    "var x: 0..1\nprocess p { x := 1 }\ninvariant i: p@done => x == 1",
    "var s: set[0..3]\ninvariant i: card(s) == 0 || exists v in s: v > 0",
    "var s: set[0..3]\ninvariant i: { v in 0..3 : v in s } == s",
    "var m: map[0..1] 0..1\ninvariant i: (m with [0] = 1)[0] == 1 && [k in 0..1 |-> 0] != m || true",
    "var x: 0..3\ninvariant i: min(x, 1) <= 1 && max(x, 1) >= 1 && x % 2 >= 0 && x / 2 <= 1 + 1",
    "var x: bool\nproperty p: x leadsto !x\nproperty q: eventually x\nproperty r: always eventually x",
    "var x: bool\ninvariant a: x\nexpect invariant a",
    "var x: bool\nprocess p { assert x, \"boom\" }\nexpect assertion \"boom\"",
    "var x: bool\nexpect deadlock",
    "var x: bool\nexpect lock-order",
    "var x: bool\nexpect range",
    "var x: bool\nexpect liveness",
    "var deadlock: bool\nvar order: bool",  # not keywords
    "var x: bool /* block\ncomment */ // line comment",
    "ghost var g: bool\nhelper invariant h: !g",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippet_lowers_and_grounds(tmp_path: Path, text: str) -> None:
    spec = load_spec(write(tmp_path, text + "\n"))
    ground(spec)


def test_spans_are_not_part_of_equality() -> None:
    a = parse_text("var x: 0..3 = 1\nprocess p { x := x + 1 }\n", "a.mms")
    b = parse_text("\n\n  // moved\nvar x: 0..3 = 1\n\n\nprocess p {\n x := x + 1\n}\n", "b.mms")
    assert a.decls == b.decls
    assert a.decls[0].span != b.decls[0].span


def expr_of(text: str) -> S.Expr:
    tree = parse_text(f"invariant i: {text}\n", "e.mms")
    decl = tree.decls[0]
    assert isinstance(decl, S.InvariantDecl)
    return decl.expr


def N(x: str) -> S.Name:
    return S.Name(x)


def test_precedence() -> None:
    B = S.BinOp
    assert expr_of("!a == b") == S.UnaryOp("not", B("eq", N("a"), N("b")))
    assert expr_of("a => b => c") == B("implies", N("a"), B("implies", N("b"), N("c")))
    assert expr_of("a || b && c") == B("or", N("a"), B("and", N("b"), N("c")))
    assert expr_of("a + b * c - d") == B("sub", B("add", N("a"), B("mul", N("b"), N("c"))),
                                         N("d"))
    assert expr_of("a union b == c") == B("eq", B("union", N("a"), N("b")), N("c"))
    assert expr_of("-a * b") == B("mul", S.UnaryOp("neg", N("a")), N("b"))
    assert expr_of("-5") == S.IntLit(-5)
    assert expr_of("x in s && y") == B("and", B("in", N("x"), N("s")), N("y"))
    q = expr_of("a && forall i in T: p || q")
    assert isinstance(q, S.BinOp) and isinstance(q.right, S.QuantExpr)
    assert q.right.body == B("or", N("p"), N("q"))
    assert expr_of("P[1]@cs") == S.AtExpr(S.IndexExpr(N("P"), S.IntLit(1)), "cs")
    assert expr_of("m with [i].f = 1") == S.WithExpr(N("m"), (N("i"), "f"), S.IntLit(1))


def test_statements_need_no_separator_but_accept_semicolons() -> None:
    a = parse_text("process p { x := 1\n y := 2 }\n", "a.mms")
    b = parse_text("process p { x := 1; y := 2; }\n", "b.mms")
    assert a.decls == b.decls


def test_ast_json_dump(tmp_path: Path) -> None:
    path = write(tmp_path, "var x: 0..1\nprocess p { a: x := 1 }\n")
    data = ast_to_json(parse_file(path))
    json.dumps(data)
    proc = data["decls"][1]
    assert proc["node"] == "ProcessDecl" and proc["name"] == "p"
    assert proc["span"] == f"{path}:2:1-2:24"
    assert proc["body"][0]["label"] == "a"


def test_ir_json_dump(tmp_path: Path) -> None:
    data = ir_to_json(load_spec(write(tmp_path, "var x: 0..1\nprocess p { a: x := 1 }\n")))
    text = json.dumps(data)
    assert data["node"] == "Spec" and "sources" not in data
    assert [v["name"] for v in data["variables"]] == ["x", "p.pc"]
    assert data["transitions"][0]["name"] == "p.a" and "x" in text
    assert data["transitions"][0]["span"].endswith(":2:13-2:22")


def test_keywords_are_reserved(tmp_path: Path) -> None:
    for text in ["var while: bool", "const forall = 1", "process self { skip }"]:
        with pytest.raises(SpecError) as e:
            load_spec(write(tmp_path, text + "\n"))
        assert e.value.diagnostics[0].code in ("MMS107", "MMS103")
