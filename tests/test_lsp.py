"""`mmspec lsp` driven over stdio by a minimal JSON-RPC client, as an editor would drive it:
initialize, didOpen (diagnostics with code and range), hover, definition (also into an
included file), documentSymbol, codeAction, didChange, shutdown/exit."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("pygls")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0

MAIN = """\
spec lsp_demo
include "locks.mms"

var count: 0..3 = 0
def full = count == 3

process worker[t in 0..1] {
    var seen: bool
take:   lock(big)
bump:   count := count + 1
check:  seen := full
        goto fin
fin:    unlock(big)
}

invariant bounded: count <= 3
"""
LOCKS = "mutex big\n"


class Client:
    """JSON-RPC 2.0 with LSP's Content-Length framing over a subprocess's pipes."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "mmspec.cli", "lsp"], cwd=cwd,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=_env())
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notes: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                k, _, v = line.decode("ascii").partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body))

    def send(self, msg: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **msg}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def _next(self) -> dict[str, Any]:
        try:
            msg = self.inbox.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("the server did not answer in time") from None
        if msg is None:
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            raise AssertionError(f"the server closed its output\n{err[-3000:]}")
        return msg

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            msg = self._next()
            if msg.get("id") == self.next_id and "method" not in msg:
                assert "error" not in msg, msg
                return msg.get("result")
            if "method" in msg:
                self.notes.append(msg)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def diagnostics_for(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        """The next publishDiagnostics for `uri` (at `version`, if given)."""
        def matches(m: dict[str, Any]) -> bool:
            p = m.get("params", {})
            return (m.get("method") == "textDocument/publishDiagnostics" and p["uri"] == uri
                    and (version is None or p.get("version") == version))
        while True:
            for i, m in enumerate(self.notes):
                if matches(m):
                    return self.notes.pop(i)["params"]["diagnostics"]  # type: ignore
            self.notes.append(self._next())


def _env() -> dict[str, str]:
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    c = Client(tmp_path)
    try:
        yield c
    finally:
        try:
            c.request("shutdown", None)
            c.notify("exit", None)
            c.proc.wait(timeout=10)
        finally:
            if c.proc.poll() is None:
                c.proc.kill()
            c.proc.wait()


def pos_of(text: str, needle: str, nth: int = 0, offset: int = 0) -> dict[str, int]:
    """The LSP position (0-based) of the nth occurrence of `needle`, plus `offset` chars."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i)
    col = i - (text.rfind("\n", 0, i) + 1) + offset
    return {"line": line, "character": col}


def test_lsp_session(client: Client, tmp_path: Path) -> None:
    main = tmp_path / "demo.mms"
    (tmp_path / "locks.mms").write_text(LOCKS, encoding="utf-8")
    main.write_text(MAIN, encoding="utf-8")
    uri = main.as_uri()
    locks_uri = (tmp_path / "locks.mms").as_uri()

    init = client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(),
                                         "capabilities": {}})
    caps = init["capabilities"]
    assert caps["hoverProvider"] and caps["definitionProvider"]
    assert caps["documentSymbolProvider"] and caps["codeActionProvider"]
    assert init["serverInfo"]["name"] == "mmspec"
    client.notify("initialized", {})

    # An unknown name: MMS204 on exactly 'cont' (line 10, 0-based 9), with its suggestion.
    broken = MAIN.replace("count := count + 1", "count := cont + 1")
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "mms", "version": 1, "text": broken}})
    diags = client.diagnostics_for(uri, 1)
    assert [d["code"] for d in diags] == ["MMS204"]
    start = pos_of(broken, "cont + 1")
    assert diags[0]["range"] == {"start": start,
                                 "end": {"line": start["line"],
                                         "character": start["character"] + 4}}
    assert "unknown name 'cont'" in diags[0]["message"]
    assert diags[0]["source"] == "mmspec"

    # The quick fix the diagnostic suggests ('did you mean count?').
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diags[0]["range"],
        "context": {"diagnostics": diags}})
    assert len(actions) == 1
    edit = actions[0]["edit"]["changes"][uri][0]
    assert edit == {"range": diags[0]["range"], "newText": "count"}

    # Fixed by an edit: diagnostics clear.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": MAIN}]})
    assert client.diagnostics_for(uri, 2) == []

    # Hover: a variable's type, a lock's kind (declared in the include), a def's expansion.
    h = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": pos_of(MAIN, "count := count")})
    assert "state variable of type `0..3`" in h["contents"]["value"]
    h = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": pos_of(MAIN, "big", 0, 1)})
    assert "a sleeping mutex" in h["contents"]["value"]
    h = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": pos_of(MAIN, "full", 1)})
    assert "expands to `count == 3`" in h["contents"]["value"]
    h = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": pos_of(MAIN, "seen :=")})
    assert "local of `worker`" in h["contents"]["value"]

    # Definition: into the included file, to a label, to a global.
    loc = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                     "position": pos_of(MAIN, "big")})
    assert loc == {"uri": locks_uri, "range": {"start": {"line": 0, "character": 6},
                                               "end": {"line": 0, "character": 9}}}
    loc = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                     "position": pos_of(MAIN, "fin", 0)})
    assert loc["uri"] == uri and loc["range"]["start"] == pos_of(MAIN, "fin:")
    loc = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                     "position": pos_of(MAIN, "count", 2)})
    assert loc["range"]["start"] == pos_of(MAIN, "count: 0..3")

    # Document symbols: the file's own declarations, the process with its labels.
    syms = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [(s["name"], s["detail"]) for s in syms] == [
        ("count", "variable"), ("full", "def"), ("worker", "process"),
        ("bounded", "invariant")]
    worker = syms[2]
    assert [c["name"] for c in worker["children"]] == ["take", "bump", "check", "fin"]
    assert worker["selectionRange"]["start"] == pos_of(MAIN, "worker")


def test_lsp_parse_error_keeps_navigation(client: Client, tmp_path: Path) -> None:
    """A syntax error is published with its code; hover still answers from the last parse."""
    main = tmp_path / "demo.mms"
    (tmp_path / "locks.mms").write_text(LOCKS, encoding="utf-8")
    uri = main.as_uri()
    client.request("initialize", {"processId": None, "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "mms", "version": 1, "text": MAIN}})
    assert client.diagnostics_for(uri, 1) == []
    broken = MAIN.replace("count <= 3", "count <= ")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": broken}]})
    diags = client.diagnostics_for(uri, 2)
    assert [d["code"] for d in diags] == ["MMS104"]  # unexpected end of file
    h = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": pos_of(MAIN, "count := count")})
    assert "state variable" in h["contents"]["value"]


def test_lsp_loads_only_the_front_end() -> None:
    code = ("import sys, mmspec.lsp; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'checker', 'numpy', 'z3', 'jinja2'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env=_env())
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("text, culprit, fix", [
    ("var a: bool = true\ninvariant i: a /\\ a\n", "/\\", "&&"),
    ("var a: bool = true\ninvariant i: ~a\n", "~", "!"),
    ("var a: 0..3 = 0\nprocess p {\n  w: await a = 1\n}\n", "=", "=="),
    ("var a: 0..3 = 0\nprocess p {\n  w: a = 1\n}\n", "=", ":="),
    ("var count: 0..3 = 0\ninvariant i: cout <= 3\n", "cout", "count"),
])
def test_quick_fix_comes_from_the_diagnostic(text: str, culprit: str, fix: str) -> None:
    """TLA+ operator hints and 'did you mean' names carry a fix over exactly the culprit."""
    from mmspec.specindex import analyse, span_text, suggested_fix

    a = analyse("hint.mms", text)
    assert len(a.diagnostics) == 1
    d = a.diagnostics[0]
    assert span_text(a.sources, d.span) == culprit
    got = suggested_fix(d, a.sources)
    assert got is not None and got.replacement == fix


def test_lsp_error_in_an_include_goes_to_that_file(client: Client, tmp_path: Path) -> None:
    """A diagnostic located in an included file is published under that file's URI (and
    cleared from it once the include is fixed), not pinned on the includer."""
    main = tmp_path / "demo.mms"
    locks = tmp_path / "locks.mms"
    locks.write_text("mutex big\nmutex $small\n", encoding="utf-8")
    client.request("initialize", {"processId": None, "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": main.as_uri(), "languageId": "mms", "version": 1, "text": MAIN}})
    inc = client.diagnostics_for(locks.as_uri())
    assert [(d["code"], d["range"]["start"]) for d in inc] == [
        ("MMS102", {"line": 1, "character": 6})]  # the '$' of line 2
    assert client.diagnostics_for(main.as_uri(), 1) == []
    locks.write_text(LOCKS, encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": main.as_uri()}})
    assert client.diagnostics_for(locks.as_uri()) == []
