"""Issue 12, Found 5/6 and Deliver "Validation": every option and [tool.mmspec] value is
range-checked with a usage error (exit 2) that names the allowed range; -D values are ASCII
integers within the 2^62 literal limit. No case may end in an internal error."""
from __future__ import annotations

from pathlib import Path

import pytest

from mmspec import cli, config

SPEC = "var x: 0..1 = 0\nconst N = 1\naction Flip { x' = 1 - x }\n"


@pytest.fixture()
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml above tmp_path's own
    (tmp_path / "pyproject.toml").write_text("[tool.mmspec]\n", encoding="utf-8")
    (tmp_path / "s.mms").write_text(SPEC, encoding="utf-8")
    return str(tmp_path / "s.mms")


@pytest.mark.parametrize("argv, message", [
    (["--depth", "-1"], "argument --depth: must be an integer from 0 to 1000000, got -1"),
    (["--time-limit", "-1"], "argument --time-limit: must be a number > 0 and <= 1000000000, "
                             "got -1"),
    (["--time-limit", "nan"], "must be a number > 0 and <= 1000000000, got nan"),
    (["--time-limit", "inf"], "must be a number > 0 and <= 1000000000, got inf"),
    (["--memory-limit", "-5"], "argument --memory-limit: must be an integer from 1 to "
                               "1000000000, got -5"),
    (["--workers", "0"], "argument --workers: must be an integer from 1 to 1024, got 0"),
    (["--workers", "-3"], "argument --workers: must be an integer from 1 to 1024, got -3"),
    (["--workers", "٣"], "argument --workers: must be an integer from 1 to 1024, got '٣'"),
    (["--max-states", "0"], "argument --max-states: must be an integer from 1 to"),
    (["--seed", "-1"], "argument --seed: must be an integer from 0 to"),
])
def test_check_options_out_of_range(spec: str, argv: list[str], message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", spec, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err


def test_simulate_steps(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", spec, "--steps", "-1"]) == 2
    assert "argument --steps: must be an integer from 0 to 1000000000, got -1" in \
        capsys.readouterr().err


@pytest.mark.parametrize("value, message", [
    ("9" * 100, "has 100 characters; values must be integers from -2^62 to 2^62"),
    ("4611686018427387905", "4611686018427387905 is out of range; values must be integers "
                            "from -2^62 to 2^62 (4611686018427387904)"),
    ("-4611686018427387905", "is out of range"),
    ("٣", "'٣' is not an integer (ASCII decimal or 0x hex) or LO..HI range"),
    ("1..٣", "'٣' is not an integer"),
    ("0x" + "f" * 41, "is not an integer"),
    ("1_000", "is not an integer"),
])
def test_define_values(spec: str, value: str, message: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", spec, "-D", f"N={value}"]) == 2
    err = capsys.readouterr().err
    assert f"mmspec: error: -D N: " in err and message in err
    assert "internal error" not in err


def test_define_limits_are_inclusive() -> None:
    """2^62 itself is a legal literal (parser.MAX_INT), so it is a legal -D value too."""
    assert cli.parse_defines([f"N={2 ** 62}", "K=-0x10"]) == [{"N": 2 ** 62, "K": -16}]
    assert cli.parse_defines(["N=0x10..0x11"]) == [{"N": 16}, {"N": 17}]
    with pytest.raises(cli.UsageError, match="-D expects NAME=VALUE"):
        cli.parse_defines(["Ñ=1"])


@pytest.mark.parametrize("line, message", [
    ('format = "xml"', "[tool.mmspec] format = 'xml': must be one of text, json"),
    ("workers = -5", "[tool.mmspec] workers = -5: must be an integer from 1 to 1024"),
    ("time_limit = nan", "[tool.mmspec] time_limit = nan: must be a number > 0"),
    ("time-limit = 0", "[tool.mmspec] time-limit = 0: must be a number > 0"),
    ("depth = -1", "[tool.mmspec] depth = -1: must be an integer from 0 to 1000000"),
    ('engine = "fast"', "must be one of auto, explicit, vector, bmc, kind"),
    ("max_states = 1.5", "[tool.mmspec] max_states has the wrong type"),
])
def test_config_values(spec: str, line: str, message: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    Path("pyproject.toml").write_text(f"[tool.mmspec]\n{line}\n", encoding="utf-8")
    assert cli.main(["check", spec]) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err


def test_valid_values_pass(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    Path("pyproject.toml").write_text("[tool.mmspec]\nworkers = 1\ntime_limit = 30\n",
                                      encoding="utf-8")
    assert cli.main(["check", spec, "--quiet", "--depth", "5", "--time-limit", "0.5",
                     "--memory-limit", "4000", "-D", "N=2"]) == 0


def test_one_range_table_for_flags_and_config() -> None:
    """Every range-checked flag reads the same table as [tool.mmspec]."""
    for key, r in config.RANGES.items():
        assert config.check_value(key, r.lo if not r.lo_open else r.hi) is None
        assert config.check_value(key, r.hi + 1) is not None
        assert config.check_value(key, True) is not None
