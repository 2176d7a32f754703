"""The LALR tables of `grammar.lark`, built once per grammar and lark version, not per run.

Building the tables takes lark 0.15-1 s, which every command used to pay. They are kept as
JSON (lark's own `memo_serialize` form), so loading them never runs code and never unpickles:

1. `mmspec/grammar_tables.json`, generated at development time by
   `python -m mmspec.parse_tables` and shipped with the package (tests/test_startup.py
   checks it is what the current grammar and lark produce);
2. otherwise (the grammar or the installed lark differ from the shipped tables) a copy in the
   user's cache directory (`$XDG_CACHE_HOME/mmspec`, else `~/.cache/mmspec`), written on
   the first run: a 0600 file in a 0700 directory, read only when both belong to the user
   and nobody else can write them;
3. otherwise the tables are built from the grammar, as before.

Each copy carries a key, the SHA-256 of the grammar text, the lark version and the parser
options; a copy whose key differs is ignored, so a stale file can cost time, never
correctness.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from lark import Lark, __version__ as LARK_VERSION

HERE = Path(__file__).parent
GRAMMAR = HERE / "grammar.lark"
SHIPPED = HERE / "grammar_tables.json"
OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": "contextual",
                           "propagate_positions": True, "maybe_placeholders": True}
FORMAT = 2  # bump when the layout of the JSON changes


def table_key(grammar: str) -> str:
    """What the tables depend on: the grammar text, lark's version and our options."""
    h = hashlib.sha256()
    for part in (f"format {FORMAT}", LARK_VERSION, json.dumps(OPTIONS, sort_keys=True),
                 grammar):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def build(grammar: str) -> Lark:
    """The slow path: lark analyses the grammar and builds the LALR tables."""
    return Lark(grammar, **OPTIONS)


def dump_tables(parser: Lark, key: str, grammar: str) -> str:
    """The tables as JSON text. lark numbers its states differently from run to run, so two
    generations of the same grammar differ in text but not in what they accept; the key (and
    tests/test_startup.py, which compares parses) is what ties them to the grammar."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    table = data["parser"]["parser"]
    table["states"] = _pack_states(table["states"])
    return json.dumps({"key": key, "lark": LARK_VERSION, "grammar_sha256": grammar_sha(grammar),
                       "data": _encode(data), "memo": _encode(memo)},
                      sort_keys=True, separators=(",", ":")) + "\n"


def _pack_states(states: dict[int, dict[int, tuple[int, Any]]]) -> dict[str, list[Any]]:
    """The LALR action table without one JSON object per reduce action (loading those was
    most of the start-up's table time): per state, its token ids and one int per action,
    2*target for a shift, 2*rule+1 for a reduce by the memo's rule number."""
    packed = [[list(actions), [2 * arg["@"] + 1 if kind == 1 else 2 * arg
                               for kind, arg in actions.values()]]
              for actions in states.values()]
    return {"#packed": [list(states), packed]}


def _parser_plugin() -> type:
    """lark's LALR parser, reading the packed action table of `_pack_states` (handed to lark
    as its "LALR_Parser" plugin, the hook lark offers for replacing the parser class)."""
    from lark.parsers import lalr_analysis, lalr_parser

    analysis: Any = lalr_analysis  # lark's parser modules are untyped
    parser: Any = lalr_parser

    def deserialize(cls: Any, data: Any, memo: Any, callbacks: Any, debug: bool = False
                    ) -> Any:
        tokens = data["tokens"]
        ids, rows = data["states"]["#packed"]
        shift, reduce = analysis.Shift, analysis.Reduce
        states = {state: {tokens[t]: (reduce, memo[a >> 1]) if a & 1 else (shift, a >> 1)
                          for t, a in zip(toks, acts)}
                  for state, (toks, acts) in zip(ids, rows)}
        inst = cls.__new__(cls)
        inst._parse_table = analysis.IntParseTable(states, data["start_states"],
                                                   data["end_states"])
        inst.parser = parser._Parser(inst._parse_table, callbacks, debug)
        return inst

    return type("PackedLALR", (parser.LALR_Parser,), {"deserialize": classmethod(deserialize)})


def _lexer_plugin() -> type:
    """lark's contextual lexer, building each parser state's lexer when that state is first
    lexed in instead of all ~160 up front (a parse visits a few dozen). The lexers built are
    lark's own, from the same terminals, so tokens and errors are the same."""
    from copy import copy

    from lark import lexer as lark_lexer

    lexer: Any = lark_lexer  # untyped

    class Lexers(dict[int, Any]):
        def __init__(self, make: Callable[[int], Any]):
            super().__init__()
            self.make = make

        def __missing__(self, state: int) -> Any:
            built = self[state] = self.make(state)
            return built

    def __init__(self: Any, conf: Any, states: dict[int, Any], always_accept: Any = ()) -> None:
        trad_conf = copy(conf)
        trad_conf.terminals = list(conf.terminals)
        by_name = conf.terminals_by_name
        by_tokens: dict[frozenset[str], Any] = {}

        def make(state: int) -> Any:
            accepts = states[state]
            key = frozenset(accepts)
            if key not in by_tokens:
                wanted = set(accepts) | set(conf.ignore) | set(always_accept)
                state_conf = copy(trad_conf)
                state_conf.terminals = [by_name[n] for n in wanted if n in by_name]
                by_tokens[key] = self.BasicLexer(state_conf, None)
            return by_tokens[key]

        self.lexers = Lexers(make)
        self.trad_conf = trad_conf
        self.root = None

    def root_lexer(self: Any) -> Any:
        """The lexer of every terminal (lark uses it to word an unexpected-token error)."""
        if self.root is None:
            self.trad_conf.skip_validation = True
            self.root = self.BasicLexer(self.trad_conf, None)
        return self.root

    return type("LazyContextualLexer", (lexer.ContextualLexer,),
                {"__init__": __init__, "root_lexer": property(root_lexer)})


def grammar_sha(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()


def _encode(x: Any) -> Any:
    """JSON has only string keys; lark's state and memo tables are keyed by integers. A dict
    with integer keys is stored as {"#k": keys, "#v": values} and rebuilt by `_decode`."""
    if isinstance(x, dict):
        if x and all(type(k) is int for k in x):
            return {"#k": list(x), "#v": [_encode(v) for v in x.values()]}
        return {k: _encode(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_encode(v) for v in x]
    return x


def _decode(d: dict[str, Any]) -> Any:
    if "#k" in d:
        return dict(zip(d["#k"], d["#v"]))
    return d


def load_tables(text: str, key: str) -> Lark | None:
    """A parser from JSON tables, or None when they are for another grammar/lark/options."""
    try:
        doc = json.loads(text, object_hook=_decode)
        if not isinstance(doc, dict) or doc.get("key") != key:
            return None
        return Lark._load_from_dict(doc["data"], doc["memo"],  # type: ignore[no-untyped-call,no-any-return]
                                    _plugins={"LALR_Parser": _parser_plugin(),
                                              "ContextualLexer": _lexer_plugin()})
    except Exception:  # a damaged copy: rebuild rather than fail  # noqa: BLE001
        return None


# --------------------------------------------------------------------------- user cache


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/mmspec` or `~/.cache/mmspec`; None where ownership cannot be checked."""
    if not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory: no cache, rebuild each run
        return None
    return root / "mmspec"


def _private(path: Path, is_dir: bool) -> bool:
    """Owned by us, of the expected type, not a symlink, nobody else may write (or read) it."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    import stat
    kind_ok = stat.S_ISDIR(st.st_mode) if is_dir else stat.S_ISREG(st.st_mode)
    return kind_ok and st.st_uid == os.getuid() and (st.st_mode & 0o077) == 0


def _cache_file(key: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / f"grammar-{key[:32]}.json"


def read_cached(key: str) -> Lark | None:
    path = _cache_file(key)
    if path is None or not (_private(path.parent, True) and _private(path, False)):
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return load_tables(text, key)


def write_cached(parser: Lark, key: str, grammar: str) -> None:
    """Best effort: a read-only home or a full disk only means the next run rebuilds."""
    path = _cache_file(key)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(path.parent, True):
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".grammar-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:  # mkstemp makes it 0600
                f.write(dump_tables(parser, key, grammar))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return


# --------------------------------------------------------------------------- entry points


def load_parser() -> Lark:
    """The parser for grammar.lark, from the cheapest valid source (see the module doc)."""
    grammar = GRAMMAR.read_text(encoding="utf-8")
    key = table_key(grammar)
    try:
        shipped = SHIPPED.read_text(encoding="utf-8")
    except OSError:
        shipped = ""
    parser = load_tables(shipped, key) if shipped else None
    if parser is None:
        parser = read_cached(key)
    if parser is None:
        parser = build(grammar)
        write_cached(parser, key, grammar)
    return parser


def shipped_key() -> str | None:
    """The key recorded in the shipped tables (None if there are none)."""
    try:
        with SHIPPED.open(encoding="utf-8") as f:
            key = json.load(f).get("key")
    except (OSError, ValueError, AttributeError):
        return None
    return key if isinstance(key, str) else None


def main(argv: list[str] | None = None) -> int:
    """`python -m mmspec.parse_tables [--check] [--force]`: (re)generate grammar_tables.json
    when grammar.lark, the installed lark or the options changed; --check only reports."""
    args = sys.argv[1:] if argv is None else argv
    grammar = GRAMMAR.read_text(encoding="utf-8")
    key = table_key(grammar)
    if shipped_key() == key and "--force" not in args:
        return 0
    if "--check" in args:
        sys.stderr.write(f"{SHIPPED} is out of date (grammar.lark, lark or the options "
                         "changed): run python -m mmspec.parse_tables\n")
        return 1
    SHIPPED.write_text(dump_tables(build(grammar), key, grammar), encoding="utf-8")
    sys.stdout.write(f"wrote {SHIPPED}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
