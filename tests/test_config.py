"""[tool.mmspec] defaults and -D parsing."""
import argparse

import pytest

from mmspec import cli, config


def test_defaults_from_nearest_pyproject_and_cli_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mmspec]\npaths = ["specs"]\nengine = "explicit"\nmax-states = 50\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    args = argparse.Namespace(engine=None, max_states=7, depth=None, time_limit=None,
                              memory_limit=None, format=None, workers=None, symmetry=None,
                              seed=None, no_deadlock=False, quiet=True)
    s = config.merged_settings(args, start=sub)
    assert s["engine"] == "explicit"
    assert s["max_states"] == 7
    assert s["paths"] == [str(tmp_path / "specs")]


def test_unknown_key_is_a_clear_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.mmspec]\nenigne = 'x'\n")
    with pytest.raises(config.ConfigError, match="unknown key 'enigne'"):
        config.load_table(tmp_path / "pyproject.toml")


def test_define_sweeps_multiply():
    runs = cli.parse_defines(["N=1..3", "K=2"])
    assert runs == [{"N": 1, "K": 2}, {"N": 2, "K": 2}, {"N": 3, "K": 2}]
    assert cli.parse_defines([]) == [{}]
    with pytest.raises(cli.UsageError):
        cli.parse_defines(["N"])
    with pytest.raises(cli.UsageError):
        cli.parse_defines(["N=x"])


def test_usage_errors_exit_2(capsys):
    assert cli.main(["check", "/no/such/path.mms"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["frobnicate"]) == 2
