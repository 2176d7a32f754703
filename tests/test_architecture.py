"""The layering rules, kept true by scanning imports (style.md, practice 1).

- The front-end (everything in mmspec/ but the CLI) knows nothing of engines or renderers.
- Engines never import each other; renderers never import engines.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("checker.explicit", "checker.vector", "checker.symbolic")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_front_end_does_not_import_checker():
    for path in modules_under("mmspec"):
        if path.name == "cli.py" or path.name.startswith("cli_"):  # the CLI (mmspec/cli*.py)
            continue
        bad = [m for m in imports_of(path) if m == "checker" or m.startswith("checker.")]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_engines_do_not_import_each_other():
    for engine in ENGINES:
        folder = engine.replace(".", "/")
        for path in modules_under(folder):
            others = [e for e in ENGINES if e != engine]
            bad = [m for m in imports_of(path) if any(m == o or m.startswith(o + ".")
                                                      for o in others)]
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_renderers_do_not_import_engines():
    for path in modules_under("checker/render"):
        bad = [m for m in imports_of(path) if any(m == e or m.startswith(e + ".")
                                                  for e in ENGINES)]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_nothing_evaluates_text():
    """No eval/exec outside the explicit/vector code generators (which only emit our text)
    and mmspec/nodeclass.py (an `__init__` from the field names of our own node classes)."""
    allowed = {"checker/explicit", "checker/vector", "mmspec/nodeclass.py"}
    for folder in ("mmspec", "checker"):
        for path in modules_under(folder):
            rel = path.relative_to(ROOT).as_posix()
            if any(rel.startswith(a) for a in allowed):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    assert node.func.id not in ("eval", "exec"), f"{rel}:{node.lineno}"


def test_no_module_is_over_600_lines():
    """Issue 13's ceiling: a module past 600 lines is split by what its parts do (radon's
    complexity ceiling is checked by .ci/run, which installs radon)."""
    root = Path(__file__).resolve().parent.parent
    long = {str(p.relative_to(root)): n for d in ("mmspec", "checker")
            for p in (root / d).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
