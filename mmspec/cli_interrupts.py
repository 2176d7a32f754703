"""SIGINT/SIGTERM during a search: stop cleanly and keep every finished result."""
from __future__ import annotations

import os
import signal
from typing import Any


class Interrupts:
    """SIGINT/SIGTERM during `mmspec check` (a cancelled CI job): lose no finished result.

    The first signal during a search sets `stop`, which the engines read where they check
    --time-limit: the search ends cleanly with partial statistics (ExitReason.INTERRUPTED)
    and no further spec starts. Outside a search (loading a spec), or on a second signal,
    KeyboardInterrupt stops at once. Either way the results so far are printed and the
    requested files written; the exit status is 130.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        from checker.options import StopRequest

        self.stop = StopRequest()
        self.searching = False
        self.count = 0
        self.pid = os.getpid()
        self.saved: dict[int, Any] = {}

    def __enter__(self) -> "Interrupts":
        try:
            self.saved = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        except ValueError:  # not the main thread (an embedding test): no handlers
            self.saved = {}
        return self

    def __exit__(self, *exc: object) -> None:
        for s, h in self.saved.items():
            signal.signal(s, h)

    def _handle(self, signum: int, frame: Any) -> None:
        if os.getpid() != self.pid:
            # A forked engine worker inherited this handler: the parent coordinates the
            # stop (a Ctrl-C reaches the whole process group); a SIGTERM from the parent
            # closing its pool ends the worker as it would without the handler.
            if signum == signal.SIGTERM:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
            return
        self.count += 1
        self.stop.requested = True
        if self.count > 1 or not self.searching:
            raise KeyboardInterrupt

    @property
    def requested(self) -> bool:
        return self.stop.requested
