"""Start-up: the LALR tables are not rebuilt per run, and `mmspec parse` imports only the
front-end (no numpy, z3, jinja2 or checker/). Timing lives in bench/startup.py, not here."""
from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from mmspec import parse_tables as T

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "specs").rglob("*.mms"))
SPEC = "specs/fput/fput_sync_under_mmap_sem.mms"


@pytest.fixture(scope="module")
def built() -> Lark:
    return T.build(T.GRAMMAR.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped() -> Lark:
    grammar = T.GRAMMAR.read_text(encoding="utf-8")
    doc = json.loads(T.SHIPPED.read_text(encoding="utf-8"))
    if doc["lark"] != T.LARK_VERSION:
        pytest.skip(f"shipped tables are for lark {doc['lark']}, {T.LARK_VERSION} installed "
                    "(the user cache covers this case)")
    parser = T.load_tables(T.SHIPPED.read_text(encoding="utf-8"), T.table_key(grammar))
    assert parser is not None, "grammar_tables.json is stale: python -m mmspec.parse_tables"
    return parser


def test_shipped_tables_are_for_this_grammar() -> None:
    doc = json.loads(T.SHIPPED.read_text(encoding="utf-8"))
    assert doc["grammar_sha256"] == T.grammar_sha(T.GRAMMAR.read_text(encoding="utf-8")), \
        "grammar.lark changed: run python -m mmspec.parse_tables"


def test_shipped_tables_parse_the_library_like_the_grammar(shipped: Lark, built: Lark) -> None:
    assert len(LIBRARY) >= 30
    for path in LIBRARY:
        text = path.read_text(encoding="utf-8")
        assert shipped.parse(text) == built.parse(text), path


BAD = ["spec x\nvar a: 0..3 = \n", "process p { x := 1 +* 2 }", "spec\n", "var a: bool = (1",
       "invariant i: a /\\ b", "process p { l: await x = 1 }", "const N = 3 #"]


@pytest.mark.parametrize("text", BAD)
def test_shipped_tables_reject_like_the_grammar(shipped: Lark, built: Lark, text: str) -> None:
    def failure(p: Lark) -> tuple[str, int, int, frozenset[str]]:
        with pytest.raises(UnexpectedInput) as e:
            p.parse(text)
        exp = getattr(e.value, "expected", None) or getattr(e.value, "allowed", None) or ()
        return type(e.value).__name__, e.value.line, e.value.column, frozenset(exp)

    assert failure(shipped) == failure(built)


def test_stale_tables_are_ignored(built: Lark) -> None:
    text = T.dump_tables(built, "0" * 64, "old grammar")
    assert T.load_tables(text, T.table_key(T.GRAMMAR.read_text(encoding="utf-8"))) is None
    assert T.load_tables("{not json", "k") is None


# --------------------------------------------------------------------------- user cache


@pytest.fixture
def no_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pretend the shipped tables do not fit (another lark), with a fresh cache home."""
    monkeypatch.setattr(T, "SHIPPED", tmp_path / "missing.json")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mmspec"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership checks")
def test_user_cache_is_private_and_reused(no_shipped: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    T.load_parser()  # builds and writes the cache
    files = list(no_shipped.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(no_shipped.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600

    def no_build(grammar: str) -> Lark:
        raise AssertionError("tables rebuilt although the cache holds them")

    monkeypatch.setattr(T, "build", no_build)
    parser = T.load_parser()
    assert parser.parse("spec s\n").data == "start"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership checks")
@pytest.mark.parametrize("loose", ["dir", "file"])
def test_user_cache_others_can_write_is_not_read(no_shipped: Path, loose: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    T.load_parser()
    target = no_shipped if loose == "dir" else next(no_shipped.iterdir())
    target.chmod(0o777 if loose == "dir" else 0o666)
    calls = []
    real_build = T.build

    def counting_build(grammar: str) -> Lark:
        calls.append(1)
        return real_build(grammar)

    monkeypatch.setattr(T, "build", counting_build)
    T.load_parser()
    assert calls == [1]


# --------------------------------------------------------------------------- lazy imports


def test_parse_imports_only_the_front_end() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "mmspec.cli", "parse",
                           SPEC], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:")}
    assert "mmspec.parser" in modules  # the listing is real
    top = {m.split(".")[0] for m in modules}
    assert not top & {"numpy", "z3", "jinja2", "checker"}, sorted(top)


def test_parse_outside_a_project_loads_no_heavy_or_unused_module(tmp_path: Path) -> None:
    """What `mmspec parse` has in sys.modules when it ends, run the way the console script
    runs it (cli.entry), from a folder without a pyproject.toml: none of the engines'
    libraries, not lark (the shipped tables are read by mmspec/lalr.py), not the output
    writers of `check` (mmspec.outputs pulls tempfile and shutil's archivers), not tomllib
    (no [tool.mmspec] to read), not hashlib (OpenSSL; grammar.lark's SHA-256 comes from
    CPython's own module) and not importlib.metadata (--version reads mmspec.__version__)."""
    spec = str(ROOT / SPEC)
    code = ("import sys\n"
            "from mmspec.cli import entry\n"
            f"sys.argv[1:] = ['parse', {spec!r}]\n"
            "code = entry()\n"
            "sys.stderr.write(repr(sorted(sys.modules)))\n"
            "sys.exit(code)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["node"] == "Spec"  # it did parse and lower the spec
    bare = subprocess.run([sys.executable, "-c", "import sys; print(sorted(sys.modules))"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    # what the interpreter's own start-up loads (a sitecustomize may import tempfile) is
    # not mmspec's doing
    modules = set(ast.literal_eval(proc.stderr.splitlines()[-1])) \
        - set(ast.literal_eval(bare.stdout))
    assert "mmspec.lower" in modules and "mmspec.lalr" in modules  # the listing is real
    top = {m.split(".")[0] for m in modules}
    assert not top & {"numpy", "scipy", "z3", "jinja2", "checker", "lark", "tomllib",
                      "hashlib", "_hashlib", "tempfile"}, sorted(top)
    assert not modules & {"mmspec.outputs", "mmspec.cli_report", "importlib.metadata",
                          "mmspec.parse_tables"}, sorted(modules)


def test_parse_in_process_gives_the_collector_back(capsys: pytest.CaptureFixture[str]) -> None:
    """cmd_parse runs without the cycle collector; a caller of main() that goes on (the
    language server, the tests) has it back afterwards, also after an error."""
    import gc

    from mmspec.cli import main

    assert gc.isenabled()
    assert main(["parse", str(ROOT / SPEC)]) == 0
    assert json.loads(capsys.readouterr().out)["node"] == "Spec"
    assert gc.isenabled()
    assert main(["parse", str(ROOT / "no-such-spec.mms")]) == 2
    assert gc.isenabled()


# --------------------------------------------------------------------------- CLI surface


def test_every_cli_option_has_a_help_line() -> None:
    import argparse

    from mmspec.cli import _build_parser

    missing = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for a in parser._actions:
            if isinstance(a, argparse._SubParsersAction):
                for sub, sp in a.choices.items():
                    walk(sp, f"{name} {sub}")
            elif not a.help and not isinstance(a, argparse._HelpAction):
                missing.append(f"{name} {a.option_strings or a.dest}")

    walk(_build_parser(), "mmspec")
    assert not missing


def test_help_shows_defaults_and_version_is_printed() -> None:
    from mmspec import __version__

    out = subprocess.run([sys.executable, "-m", "mmspec.cli", "simulate", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60).stdout
    assert "(default: 100)" in out  # --steps and --runs
    ver = subprocess.run([sys.executable, "-m", "mmspec.cli", "--version"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert ver.returncode == 0 and ver.stdout == f"mmspec {__version__}\n"
