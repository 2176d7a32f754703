"""Issue 12, Found 1 and Deliver "Confinement": a spec from a pull request reads only its own
tree, the --include-path folders and the prelude, only regular files, with a size cap; a
refusal is a located error that echoes nothing of the refused file.

The CLI cases run `mmspec` in a subprocess with a secret in its environment and a timeout,
so a regression that reads /proc/self/environ (leak) or a FIFO (hang) fails here.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmspec.confine import Confinement, ReadRefused, read_regular_file, walk_specs
from mmspec.diagnostics import SpecError, render_diagnostics
from mmspec.frontend import load_spec

ROOT = Path(__file__).resolve().parent.parent
SECRET = "mmspec-test-secret-4f1c2b"
OK_SPEC = "var x: 0..1 = 0\naction Flip { x' = 1 - x }\n"
TIMEOUT = 60  # seconds; a blocked read would hit it and fail the test


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MMSPEC_TEST_SECRET=SECRET, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "mmspec.cli", *args], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)


def assert_nothing_leaked(p: subprocess.CompletedProcess[str]) -> None:
    out = p.stdout + p.stderr
    assert SECRET not in out
    assert "MMSPEC_TEST_SECRET" not in out
    assert "root:" not in out          # a line of /etc/passwd
    assert "internal error" not in out
    assert "Traceback" not in out


TARGETS = ["/proc/self/environ", "/etc/passwd", "../../../../../../../../etc/passwd",
           "/dev/zero", "/dev/stdin", "/proc/self/fd/0"]


def test_include_outside_the_tree_is_refused_without_reading(tmp_path: Path) -> None:
    """One run over a folder of specs, each including one target (one process: fast)."""
    specs = []
    for i, target in enumerate(TARGETS):
        spec = tmp_path / f"s{i}.mms"
        spec.write_text(f'include "{target}"\n' + OK_SPEC, encoding="utf-8")
        specs.append(spec)
    p = run_cli("check", str(tmp_path), cwd=tmp_path)
    assert p.returncode == 2
    for spec, target in zip(specs, TARGETS):
        assert f"{spec}:1:1: error[MMS217]: cannot include '{target}'" in p.stderr
    assert_nothing_leaked(p)


def test_include_of_a_fifo_inside_the_tree_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.mmsi")
    spec = tmp_path / "s.mms"
    spec.write_text('include "pipe.mmsi"\n' + OK_SPEC, encoding="utf-8")
    p = run_cli("check", str(spec), cwd=tmp_path)
    assert p.returncode == 2
    assert "error[MMS210]" in p.stderr and "it is a FIFO, not a regular file" in p.stderr
    assert_nothing_leaked(p)


def test_folder_walk_skips_fifos_and_symlinks_that_leave_the_folder(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    (specs / "sub").mkdir(parents=True)
    (specs / "good.mms").write_text(OK_SPEC, encoding="utf-8")
    os.symlink("/proc/self/environ", specs / "environ.mms")
    os.symlink("/etc/passwd", specs / "sub" / "passwd.mms")
    os.symlink("../good.mms", specs / "sub" / "inside.mms")   # stays in the tree: checked
    os.mkfifo(specs / "fifo.mms")
    p = run_cli("check", "--quiet", str(specs), cwd=tmp_path)
    assert_nothing_leaked(p)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"warning: skipped {specs / 'environ.mms'}: a symlink that leaves the folder" \
        in p.stderr
    assert f"warning: skipped {specs / 'sub' / 'passwd.mms'}: a symlink that leaves" in p.stderr
    assert f"warning: skipped {specs / 'fifo.mms'}: a FIFO, not a regular file" in p.stderr
    # good.mms and sub/inside.mms, nothing else
    assert "2 of 2 spec runs met their expectation" in p.stdout


def test_a_system_file_named_on_the_command_line_is_not_read(tmp_path: Path) -> None:
    names = ["/dev/stdin", "/dev/zero", "/proc/self/environ"]
    p = run_cli("check", *names, cwd=tmp_path)
    assert p.returncode == 2
    for name in names:
        assert f"{name}: error[MMS100]: cannot read '{name}'" in p.stderr
    assert_nothing_leaked(p)


def test_a_spec_symlink_leaving_its_folder_is_not_read(tmp_path: Path) -> None:
    os.symlink("/proc/self/environ", tmp_path / "link.mms")
    p = run_cli("check", str(tmp_path / "link.mms"), cwd=tmp_path)
    assert p.returncode == 2
    assert_nothing_leaked(p)


def test_include_path_widens_the_tree_explicitly(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "lib" / "common.mmsi").write_text("type T = 0..1\n", encoding="utf-8")
    spec = tmp_path / "specs" / "s.mms"
    spec.write_text('include "../lib/common.mmsi"\nvar x: T = 0\n'
                    "action Flip { x' = 1 - x }\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(str(spec))
    assert [d.code for d in info.value.diagnostics] == ["MMS217"]
    assert load_spec(str(spec), include_paths=[str(tmp_path / "lib")]).variables
    # a bare name is also searched for in the include path
    spec.write_text('include "common.mmsi"\nvar x: T = 0\n', encoding="utf-8")
    assert load_spec(str(spec), include_paths=[str(tmp_path / "lib")]).variables
    p = run_cli("check", "--quiet", str(spec), "--include-path", str(tmp_path / "lib"),
                cwd=tmp_path)
    assert "error" not in p.stderr


def test_a_folder_walk_tree_is_the_folder_named(tmp_path: Path) -> None:
    """A spec in specs/a/ may include specs/common.mmsi when `specs/` was walked, not when
    specs/a/s.mms is named alone (its tree is then specs/a/)."""
    (tmp_path / "specs" / "a").mkdir(parents=True)
    (tmp_path / "specs" / "common.mmsi").write_text("type T = 0..1\n", encoding="utf-8")
    spec = tmp_path / "specs" / "a" / "s.mms"
    spec.write_text('include "../common.mmsi"\nvar x: T = 0\n' "action Flip { x' = 1 - x }\n",
                    encoding="utf-8")
    assert load_spec(str(spec), tree=str(tmp_path / "specs")).variables
    with pytest.raises(SpecError):
        load_spec(str(spec))
    assert run_cli("check", "--quiet", "specs", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--quiet", "specs/a/s.mms", cwd=tmp_path).returncode == 2


def test_prelude_resolves_bare_names(tmp_path: Path) -> None:
    prelude = tmp_path / "prelude"
    prelude.mkdir()
    (prelude / "kernel.mms").write_text("type T = 0..1\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "s.mms"
    spec.write_text('include "kernel"\nvar x: T = 0\n', encoding="utf-8")
    conf = Confinement((str((tmp_path / "specs").resolve()),), prelude=str(prelude.resolve()))
    from mmspec.resolve import load_tree

    loaded = load_tree(str(spec), conf)
    assert [name for name, _ in loaded.sources] == [str(spec), str(prelude / "kernel.mms")]


def test_read_is_capped_before_decoding(tmp_path: Path) -> None:
    big = tmp_path / "big.mms"
    big.write_bytes(b"x" * 101)
    assert read_regular_file(str(big), cap=101) == b"x" * 101
    with pytest.raises(ReadRefused, match="larger than 100 bytes"):
        read_regular_file(str(big), cap=100)


def test_nul_in_a_path_is_a_refusal_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ReadRefused, match="NUL"):
        read_regular_file(str(tmp_path / "a\0b.mms"))
    p = run_cli("check", "a\0b.mms".replace("\0", "\x01"), cwd=tmp_path)
    assert p.returncode == 2 and "internal error" not in p.stderr


def test_undecodable_file_echoes_only_the_offending_line(tmp_path: Path) -> None:
    spec = tmp_path / "s.mms"
    spec.write_bytes(b"// token-one-SECRETLINE1\nvar x: bool \xff\n// SECRETLINE3\n")
    with pytest.raises(SpecError) as info:
        load_spec(str(spec))
    text = render_diagnostics(info.value.diagnostics, info.value.sources)
    assert "error[MMS101]" in text and "var x: bool" in text
    assert "SECRETLINE1" not in text and "SECRETLINE3" not in text


def test_walk_specs_lists_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.mms").write_text(OK_SPEC, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    os.mkfifo(tmp_path / "b.mms")
    (tmp_path / "loop").mkdir()
    os.symlink("..", tmp_path / "loop" / "up")  # a symlinked folder is not descended into
    found, skipped = walk_specs(str(tmp_path))
    assert found == [str(tmp_path / "a.mms")]
    assert [(s.path, s.reason) for s in skipped] == [
        (str(tmp_path / "b.mms"), "a FIFO, not a regular file")]


def test_include_through_a_symlinked_folder_that_leaves_the_tree(tmp_path: Path) -> None:
    os.symlink("/etc", tmp_path / "etc")          # a folder inside the tree, pointing out
    spec = tmp_path / "s.mms"
    spec.write_text('include "etc/passwd"\n' + OK_SPEC, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(str(spec))
    [d] = info.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("MMS217", 1, 1)
    assert str(tmp_path / "etc" / "passwd") not in info.value.sources


def test_a_named_folder_that_is_a_symlink_out_of_the_checkout_is_refused(tmp_path: Path
                                                                         ) -> None:
    """A pull request can turn `specs` into a symlink to /etc; `mmspec check specs/` must
    not make /etc the spec tree (where `include "passwd"` would be inside it)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "s.mms").write_text(OK_SPEC, encoding="utf-8")
    (tmp_path / "repo").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "repo" / "specs")
    p = run_cli("check", "specs/", cwd=tmp_path / "repo")
    assert p.returncode == 2
    assert "mmspec: error: specs/: a symlink leading outside the working folder" in p.stderr
    # named by its real path it is an explicit choice, and checked
    assert run_cli("check", "--quiet", str(tmp_path / "outside"),
                   cwd=tmp_path / "repo").returncode == 0


def test_config_paths_stay_in_the_project(tmp_path: Path) -> None:
    from mmspec import config

    (tmp_path / "pyproject.toml").write_text('[tool.mmspec]\npaths = ["/"]\n',
                                             encoding="utf-8")
    with pytest.raises(config.ConfigError, match="paths: / is outside the folder of "
                                                  "pyproject.toml"):
        config.load_table(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text('[tool.mmspec]\npaths = ["../x"]\n',
                                             encoding="utf-8")
    with pytest.raises(config.ConfigError, match="is outside the folder"):
        config.load_table(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text('[tool.mmspec]\npaths = ["specs"]\n',
                                             encoding="utf-8")
    assert config.load_table(tmp_path / "pyproject.toml")["paths"] == [str(tmp_path / "specs")]


def test_a_file_name_with_a_newline_cannot_start_a_log_line(tmp_path: Path) -> None:
    """A pull request can add `specs/\\n::error ...::x.mms`: printed raw, its second half
    would be a line of its own in the CI log, where GitHub reads `::` lines as workflow
    commands. The walk skips it (named escaped) and still checks the other specs; named on
    the command line it is a usage error."""
    evil = "a\n::error file=x::pwned.mms"
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / evil).write_text(OK_SPEC)
    (tmp_path / "specs" / "good.mms").write_text(OK_SPEC)
    walked = run_cli("check", "specs", cwd=tmp_path)
    named = run_cli("check", f"specs/{evil}", cwd=tmp_path)
    parsed = run_cli("parse", f"specs/{evil}", cwd=tmp_path)
    assert walked.returncode == 0, walked.stderr        # good.mms holds; the other is skipped
    assert "warning: skipped 'specs/a\\n::error file=x::pwned.mms': a name with control" \
        in walked.stderr
    assert named.returncode == 2 and "a path with control characters" in named.stderr
    assert parsed.returncode == 2 and "a path with control characters" in parsed.stderr
    for p in (walked, named, parsed):
        assert not any(line.startswith("::") for line in (p.stdout + p.stderr).splitlines())
        assert_nothing_leaked(p)
