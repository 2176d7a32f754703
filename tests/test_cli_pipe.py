"""A reader that leaves early (`mmspec check specs/ | head -1`) is not an internal error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_closed_stdout_is_quiet_and_exits_like_sigpipe():
    proc = subprocess.Popen([sys.executable, "-m", "mmspec.cli", "check", "specs/", "--show-traces"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # the first spec's verdict line, then the reader goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141  # the shell's status for a SIGPIPE'd writer
    assert "internal error" not in err and "Traceback" not in err
