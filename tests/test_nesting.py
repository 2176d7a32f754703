"""Issue 12, Found 6: "nesting too deep" only for real nesting, and located at its cause.

A flat chain of an associative operator (`x + x + ... + x`) is rebuilt by the parser as a
balanced tree, so 200 terms parse and every engine checks them; a chain of a non-associative
operator still nests one level per operator and is refused at the chain; a chain of defs
that inlines deeper than the parser's limit is refused at the def, not at 1:1.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from checker.symbolic import check_bmc
from mmspec import syntax as S
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec, parse_file
from mmspec.ground import ground
from mmspec.parser import MAX_DEPTH, REBALANCE_AT


def write(tmp_path: Path, text: str) -> str:
    f = tmp_path / "s.mms"
    f.write_text(text, encoding="utf-8")
    return str(f)


def chain_spec(n: int, op: str, bound: str) -> str:
    return ("var x: 0..1 = 0\n"
            f"invariant I: {f' {op} '.join(['x'] * n)} {bound}\n"
            "action Flip { x' = 1 - x }\n")


def verdicts(path: str) -> set[str]:
    system = ground(load_spec(path))
    results = [explicit.check(system), vector.check(system),
               check_bmc(system, CheckOptions(depth=3))]
    return {r.verdict for r in results}


def leaves(e: object) -> list[str]:
    out: list[str] = []
    todo = [e]
    while todo:
        n = todo.pop()
        if isinstance(n, S.BinOp):
            todo += [n.right, n.left]
        else:
            out.append(n.id if isinstance(n, S.Name) else repr(n))
    return out


def depth(e: object) -> int:
    return 1 + max(depth(e.left), depth(e.right)) if isinstance(e, S.BinOp) else 1


def test_a_flat_chain_of_200_plus_terms_parses_and_checks(tmp_path: Path) -> None:
    # x in {0, 1}: the sum of 200 copies is 0 or 200, so `< 200` fails once x = 1 (one step)
    # and `<= 200` always holds; every engine must say so.
    assert verdicts(write(tmp_path, chain_spec(200, "+", "< 200"))) == {"violation"}
    assert verdicts(write(tmp_path, chain_spec(200, "+", "<= 200"))) - {"incomplete"} == \
        {"ok"}


def test_long_boolean_chains_parse_too(tmp_path: Path) -> None:
    # 300 copies of (x == 0) joined by && / ||: both are exactly `x == 0`, false after a step
    text = ("var x: 0..1 = 0\ninvariant I: " + " && ".join(["(x == 0)"] * 300) + "\n"
            "invariant J: " + " || ".join(["(x == 0)"] * 300) + "\n"
            "action Flip { x' = 1 - x }\n")
    assert verdicts(write(tmp_path, text)) == {"violation"}


def test_the_rebalanced_chain_keeps_its_operands_in_order(tmp_path: Path) -> None:
    names = [f"v{i}" for i in range(500)]
    text = "".join(f"var {n}: bool\n" for n in names) + \
        "invariant I: " + " || ".join(names) + "\n"
    inv = [d for d in parse_file(write(tmp_path, text)).decls
           if isinstance(d, S.InvariantDecl)][0]
    assert leaves(inv.expr) == names
    assert depth(inv.expr) == 10           # ceil(log2(500)) + 1 for the leaves
    assert (inv.expr.span.line, inv.expr.span.col) == (501, 14)
    assert inv.expr.span.end_col == 14 + len(" || ".join(names))


def test_short_chains_keep_their_left_nested_shape(tmp_path: Path) -> None:
    n = REBALANCE_AT - 1
    inv = [d for d in parse_file(write(tmp_path, chain_spec(n, "+", "< 5"))).decls
           if isinstance(d, S.InvariantDecl)][0]
    assert depth(inv.expr.left) == n       # (((x + x) + x) ...): n - 1 additions + a leaf


def test_a_non_associative_chain_is_real_nesting_reported_at_the_chain(tmp_path: Path
                                                                       ) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, chain_spec(300, "-", "<= 1")))
    [d] = info.value.diagnostics
    assert d.code == "MMS106" and "each '-' in this chain nests one level deeper" in d.message
    assert (d.span.line, d.span.col) == (2, 14)


def test_a_def_chain_is_located_at_the_def_that_crosses_the_limit(tmp_path: Path) -> None:
    # d0 = x has depth 1; in `di = d(i-1) + 1` the name d(i-1) sits at level 2 and its
    # expansion counts as one more level on top of d(i-1)'s own depth, so di has depth
    # 2 + depth(d(i-1)) = 2i + 1: the first def past MAX_DEPTH (200) is d100.
    lines = ["var x: 0..1 = 0", "def d0 = x"]
    lines += [f"def d{i} = d{i - 1} + 1" for i in range(1, 300)]
    lines += ["invariant I: d299 >= 0"]
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, "\n".join(lines) + "\n"))
    [d] = info.value.diagnostics
    assert d.code == "MMS106" and d.message.startswith(f"def 'd{MAX_DEPTH // 2}' nests more")
    assert (d.span.line, d.span.col) == (MAX_DEPTH // 2 + 2, 5)


@pytest.mark.parametrize("body", ["f{p}", "f{p}(a)"])
def test_a_chain_of_aliases_counts_its_expansions(tmp_path: Path, body: str) -> None:
    # `def fi = f(i-1)` adds no expression depth, but each expansion is a level: the name
    # (or call) sits at level 1 and adds depth(f(i-1)), and f0 has depth 1, so fi has
    # depth i + 1 and the first def past 200 is f200, for aliases and calls alike.
    params = "(a)" if "(" in body else ""
    lines = ["var x: 0..1 = 0", f"def f0{params} = {'a' if params else 'x'}"]
    lines += [f"def f{i}{params} = " + body.format(p=i - 1) for i in range(1, 600)]
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, "\n".join(lines) + "\n"))
    [d] = info.value.diagnostics
    assert d.code == "MMS106" and d.message.startswith(f"def 'f{MAX_DEPTH}' nests more")


def test_an_error_at_the_end_of_a_long_def_chain_is_located_there(tmp_path: Path) -> None:
    lines = ["var x: 0..1 = 0", "def d0 = x"]
    lines += [f"def d{i} = d{i - 1} + 1" for i in range(1, 90)]  # d89: depth 179 < 200
    lines += ["invariant I: d89 == true"]
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, "\n".join(lines) + "\n"))
    [d] = info.value.diagnostics
    assert d.code == "MMS301" and (d.span.line, d.span.col) == (92, 14)
