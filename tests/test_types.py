"""`mypy --strict` stays clean on the files pyproject.toml's [tool.mypy] lists (mmspec/ and
checker/; issue 13). Skipped where mypy is not installed (the test extra does not need it;
.ci/run installs it and runs it on its own). mypy's cache (.mypy_cache) makes a rerun take
a few seconds; a cold run takes 10-20 s of CPU."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_is_clean() -> None:
    api = pytest.importorskip("mypy.api")
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypy reads [tool.mypy] from the pyproject.toml of the folder it runs in
    try:
        out, err, status = api.run([])
    finally:
        os.chdir(cwd)
    assert status == 0, ("mypy --strict found errors (run `mypy` in the repository root; fix "
                         "the types rather than adding `type: ignore`):\n" + out + err)
    assert "Success" in out
