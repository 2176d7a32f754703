"""Regenerate tests/litmus/*.mms from a Linux kernel tree with `mmspec litmus`.

    python tests/litmus/regenerate.py KERNEL_ROOT

`sources.txt` lists every kernel litmus test considered (path and the commit it was read
at). Each one is translated with its provenance in the header; the ones the translator
refuses (a primitive mmspec lacks) are printed with the reason and get no .mms file. The
kernel's files themselves are not kept in this repository.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from mmspec.diagnostics import SpecError  # noqa: E402
from mmspec.litmus import translate_file  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    root = Path(argv[0])
    refused = 0
    for line in (HERE / "sources.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        path, commit = line.split()
        name = Path(path).stem
        origin = f"torvalds/linux {path} @ {commit}"
        try:
            text = translate_file(str(root / path), origin)
        except SpecError as e:
            d = e.diagnostics[0]
            print(f"{name}: not translated: {d.message} ({'; '.join(d.notes)})")
            refused += 1
            (HERE / f"{name}.mms").unlink(missing_ok=True)
            continue
        (HERE / f"{name}.mms").write_text(text, encoding="utf-8")
        print(f"{name}: ok")
    print(f"{refused} not translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
