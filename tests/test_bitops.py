"""Bit operations (`~ & | ^ << >>`, issue 15 item 3): C's precedence, constant folding, the
shift count's domain, and every engine against the independent reference evaluator
(tests/refeval.py computes & | ^ bit by bit and shifts as multiplication/floor division)."""
from __future__ import annotations

import pytest

from mmspec import syntax as S
from mmspec.parser import parse_text
from tests.differential import Tally, check_text
from tests.specgen import Features, RandomChooser, spec_text


def _expr(src: str) -> S.Expr:
    spec = parse_text(f"const X = {src}\n", "t.mms")
    decl = spec.decls[0]
    assert isinstance(decl, S.ConstDecl)
    return decl.value


def _shape(e: S.Expr) -> str:
    if isinstance(e, S.BinOp):
        return f"({_shape(e.left)} {e.op} {_shape(e.right)})"
    if isinstance(e, S.UnaryOp):
        return f"({e.op} {_shape(e.arg)})"
    if isinstance(e, S.Name):
        return e.id
    assert isinstance(e, S.IntLit)
    return str(e.value)


@pytest.mark.parametrize("src, shape", [
    # C: * over + over << over comparisons over == over & over ^ over | over &&
    ("a | b ^ c & d", "(a bor (b bxor (c band d)))"),
    ("a & b == c", "(a band (b eq c))"),            # C's pitfall: == binds tighter than &
    ("a << 1 + 2", "(a shl (1 add 2))"),            # + binds tighter than <<
    ("a << 1 < b", "((a shl 1) lt b)"),
    ("~a & b", "((bnot a) band b)"),
    ("a & b && c | d", "((a band b) and (c bor d))"),
    ("a >> 2 >> 1", "((a shr 2) shr 1)"),
])
def test_c_precedence(src: str, shape: str) -> None:
    assert _shape(_expr(src)) == shape


def test_constants_fold_with_kernel_values(tmp_path) -> None:
    from mmspec.frontend import load_spec
    f = tmp_path / "c.mms"
    f.write_text("const OFF = 0x40000000\nconst LIMIT = (OFF - 1) & ~1\n"
                 "const S = 1 << 30 | 3 ^ 1\nconst R = -9 >> 1\nvar x: 0..1\n")
    spec = load_spec(str(f))
    got = dict(spec.consts)
    # 0x40000000 = 2^30; (2^30 - 1) & ~1 clears bit 0; 3 ^ 1 = 2, 2^30 | 2; -9 >> 1 = floor(-4.5)
    assert got == {"OFF": 2**30, "LIMIT": 2**30 - 2, "S": 2**30 + 2, "R": -5}


def test_address_of_outside_a_kernel_call_is_an_error(tmp_path) -> None:
    from mmspec.diagnostics import SpecError
    from mmspec.frontend import load_spec
    f = tmp_path / "a.mms"
    f.write_text("var x: 0..1\ninvariant i: &x == 0\n")
    with pytest.raises(SpecError) as e:
        load_spec(str(f))
    assert e.value.diagnostics[0].code == "MMS301"
    assert "address of" in e.value.diagnostics[0].message


BITS = Features(bits=True)
BITS_HAZARDS = Features(bits=True, domain=True)


@pytest.mark.parametrize("features, first, n", [(BITS, 70_000, 30), (BITS_HAZARDS, 71_000, 15)])
def test_engines_agree_with_the_reference_on_bit_operations(features: Features, first: int,
                                                            n: int) -> None:
    tally = Tally()
    used = 0
    for seed in range(first, first + n):
        text = spec_text(RandomChooser(seed), features)
        used += any(op in text for op in (" & ", " | ", " ^ ", "~", "<<", ">>"))
        engines = ("explicit", "vector", "bmc") if seed % 10 == 0 else ("explicit", "vector")
        verdict = check_text(text, engines, bmc_cap=4)
        tally.add(text, verdict)
        assert verdict.ok, f"seed {seed}:\n  " + "\n  ".join(verdict.disagreements) + \
            "\n--- spec ---\n" + text
    assert tally.disagreeing == 0 and used >= n // 2, (used, tally.kinds)


SHIFT_BELOW_ZERO = """
var n: -1..2 = 1
var x: 0..8 = 0
process p {
  a: n := n - 1
  b: x := 1 << n
  c: n := n - 1
  d: x := 1 << n
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc", "kind"])
def test_a_negative_shift_count_is_a_domain_violation(tmp_path, engine: str) -> None:
    """n: 1 -> 0 (a), x := 1 << 0 (b), n: 0 -> -1 (c); d evaluates 1 << -1: C's undefined
    shift. By hand: the violating state is the 4th (depth 3), the value -1."""
    from checker.options import CheckOptions
    from mmspec.cli import _run_engine
    from mmspec.frontend import load_spec
    from mmspec.ground import ground
    f = tmp_path / "s.mms"
    f.write_text(SHIFT_BELOW_ZERO)
    spec = load_spec(str(f))
    res = _run_engine(engine, ground(spec), CheckOptions(depth=6))
    v = res.violations[0]
    assert v.kind == "domain" and len(v.trace.steps) == 4
    assert v.details["value"] == -1 and v.details["what"] == "shift count"
