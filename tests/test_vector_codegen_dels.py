"""checker/vector/codegen.py frees each intermediate after its last use (with_dels). That the
generated functions still compute the right masks is what every vector-engine test checks
(engine against explicit, conformance cases, library specs)."""
from __future__ import annotations

from checker.vector.codegen import with_dels


def test_each_local_is_deleted_after_its_last_use_unless_returned() -> None:
    lines = ["    v1 = W[0]", "    v2 = (v1 + 1)", "    v3 = (v2 == v1)", "    v4 = (v2 > 0)"]
    got = with_dels(lines, "[v3, (v4 != 0)]")
    # v1: last read by v3's line; v2: by v4's line; v3 and v4 are returned
    assert got == ["    v1 = W[0]", "    v2 = (v1 + 1)", "    v3 = (v2 == v1)", "    del v1",
                   "    v4 = (v2 > 0)", "    del v2"]


def test_an_unread_local_dies_where_it_is_made() -> None:
    assert with_dels(["    v7 = W[1]"], "[]") == ["    v7 = W[1]", "    del v7"]
