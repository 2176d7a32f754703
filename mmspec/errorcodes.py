"""The registry of stable diagnostic codes, banded by the phase that reports them.

Codes never change meaning once released: tests, CI logs and SARIF consumers match on them.
MMS1xx lexing/parsing (and reading files), MMS2xx names/includes/-D, MMS3xx types and static
semantics, MMS4xx lowering limits, MMS5xx run time (reserved: reported by the CLI/engines).
"""
from __future__ import annotations

CODES: dict[str, str] = {
    # -- 1xx: reading, lexing, parsing
    "MMS100": "cannot read file",
    "MMS101": "file is not valid UTF-8",
    "MMS102": "unexpected character",
    "MMS103": "unexpected token",
    "MMS104": "unexpected end of file",
    "MMS105": "integer literal too large",
    "MMS106": "nesting too deep",
    "MMS107": "reserved word used as a name",
    "MMS108": "unterminated block comment",
    "MMS109": "unterminated string",
    "MMS110": "statements on one line need a ';'",
    # -- 2xx: names, includes, -D
    "MMS201": "duplicate declaration",
    "MMS202": "unknown type",
    "MMS203": "unknown lock",
    "MMS204": "unknown name",
    "MMS205": "unknown label",
    "MMS206": "unknown process",
    "MMS207": "unknown function, def or proc",
    "MMS208": "unknown -D constant",
    "MMS209": "cyclic definition",
    "MMS210": "cannot read included file",
    "MMS211": "include cycle",
    "MMS212": "recursive def or proc",
    "MMS213": "unknown option",
    "MMS214": "unknown property in expect",
    "MMS215": "'self' outside an indexed process",
    "MMS216": "duplicate label",
    "MMS217": "include outside the spec's tree",
    "MMS218": "invalid include path",
    # -- 3xx: types and static semantics
    "MMS301": "type mismatch",
    "MMS302": "not a constant expression",
    "MMS303": "constant out of range",
    "MMS304": "empty range",
    "MMS305": "bad index",
    "MMS306": "arithmetic or ordering on a symmetric type",
    "MMS307": "not a lock",
    "MMS308": "wrong lock kind for this operation",
    "MMS309": "blocking operation inside atomic",
    "MMS310": "control flow inside atomic",
    "MMS311": "lock released where it is never held",
    "MMS312": "wrong number of arguments",
    "MMS313": "invalid assignment target",
    "MMS314": "variable assigned twice in one step",
    "MMS315": "not allowed here",
    "MMS316": "unknown record field",
    "MMS317": "invalid expect clause",
    "MMS318": "invalid option value",
    "MMS319": "type not allowed here",
    "MMS320": "division by zero in a constant",
    "MMS321": "label is not a step boundary",
    "MMS322": "nothing to check",
    # 350-359: honest atomicity and procedures (warnings unless --strict-atomicity)
    "MMS350": "step more atomic than the code (a test fused with a shared write)",
    "MMS351": "proc call misuse (a value from a proc without one, a call inside an expression)",
    # -- 4xx: lowering limits
    "MMS401": "type too large",
    "MMS402": "too many initial states",
    "MMS403": "too many threads",
    "MMS404": "too many transition instances",
    "MMS405": "expansion too large",
    # -- 5xx: run time (reserved; e.g. the CLI's MMS501 for a grounding failure)
    "MMS501": "grounding failed",
}


# Codes reported as warnings (checking goes on; --strict-atomicity makes them errors).
WARNINGS: frozenset[str] = frozenset({"MMS350"})


def title(code: str) -> str:
    """The short title of a code ('' for an unregistered one)."""
    return CODES.get(code, "")
