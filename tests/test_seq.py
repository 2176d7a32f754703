"""TLA+ data constructs: bounded sequences (`seq[T] max N`), records as set elements, types
as sets. Hand-derived counts, the ground layout, and agreement of explicit, vector and bmc
with the reference evaluator (tests/refeval.py), which models a sequence as a plain Python
tuple and a set of records as a frozenset of records, and never sees the ground form's
length-plus-slots layout or the record codes."""
import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from mmspec.diagnostics import SpecError
from mmspec.ground import ground
from tests.differential import check_text, load_text

QUEUE = """spec q
var q: seq[1..3] max 2 = <<>>
action Put(x in 1..3) when len(q) < 2 { q' = append(q, x) }
action Get when q != <<>> { q' = tail(q) }
invariant Len: len(q) <= 2 && (len(q) > 0 => head(q) >= 1)
"""


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
def test_queue_counts_by_hand(engine):
    # sequences over {1,2,3} of length <= 2: 1 + 3 + 9 = 13 states, the longest 2 steps
    # from <<>>. Generated: from the empty queue 3 Puts; from each of the 3 one-element
    # queues 3 Puts + 1 Get; from each of the 9 full queues 1 Get: 3 + 12 + 9 = 24, plus
    # the initial state (TLC counts it as generated) = 25.
    r = engine.check(ground(load_text(QUEUE)), CheckOptions())
    assert r.verdict == "ok"
    assert (r.stats.distinct_states, r.stats.depth) == (13, 2)
    assert r.stats.generated_states == 25


def test_layout_is_length_plus_live_slots_with_dead_slots_canonical():
    system = ground(load_text("spec l\nvar q: seq[2..3] max 2 = <<3>>\n"
                              "action T when len(q) == 1 { q' = tail(q) }\n"))
    assert [s.name for s in system.slots] == ["len(q)", "q[1]", "q[2]"]
    assert system.init == ((1, 3, 2),)  # the dead slot holds the element type's least value
    r = explicit.check(system, CheckOptions(deadlock=False))
    # <<3>> -> <<>>: the vacated slot is reset, so the state is (0, 2, 2), not (0, 3, 2)
    assert r.stats.distinct_states == 2


CASES = {
    "queue": QUEUE,
    "records_in_channels": """spec c
type Msg = record { kind: enum { Req, Ack }, val: 1..2 }
var ch: map[1..2] seq[Msg] max 2
var log: seq[0..3] max 3 = <<1>>
action Send(p in 1..2, v in 1..2) when len(ch[p]) < 2 { ch'[p] = append(ch[p], {kind: Req, val: v}) }
action Recv(p in 1..2) when ch[p] != <<>> && head(ch[p]).kind == Req {
   ch'[p] = tail(ch[p])
   log' = if len(log) < 3 then append(log, head(ch[p]).val) else subseq(log, 2, 3)
}
action Fix when len(log) >= 2 { log'[2] = 0 }
action Cat when len(log) == 1 { log' = concat(log, <<2, 3>>) }
invariant I1: len(log) >= 1
invariant I2: forall i in 1..3: i <= len(log) => log[i] <= 3
""",
    "index_out_of_domain": """spec d
var q: seq[1..3] max 2
var i: 0..3
action Put when len(q) < 2 { q' = append(q, 1) }
action Move { i' = (i + 1) % 4 }
invariant Rd: q[i] >= 1 || i == 0
expect domain
""",
    "head_of_empty": """spec h
var q: seq[1..2] max 2 = <<1>>
var x: 0..2
action Pop { q' = tail(q); x' = head(q) }
expect domain
""",
    "append_to_full": """spec a
var q: seq[bool] max 2
action Push(b in bool) { q' = append(q, b) }
expect domain
""",
    "subseq_and_except": """spec s
var q: seq[0..4] max 3 = <<1, 2, 3>>
action Cut(m in 1..3, n in 0..3) when m <= n + 1 { q' = subseq(q, m, n) }
action Set(i in 0..4) { q'[i] = 4 }
action Grow when len(q) < 3 { q' = concat(q, <<0>>) }
invariant Small: len(q) <= 3
expect domain
""",
    "literal_longer_than_target": """spec t
var q: seq[1..3] max 2
var n: 0..3
action Bump when n < 3 { n' = n + 1 }
action Store when n == 3 { q' = <<1, 2, 3>> }
expect domain
""",
    "equality_with_different_capacities": """spec e
var a: seq[1..2] max 3
var b: seq[1..2] max 1
action A(x in 1..2) when len(a) < 3 { a' = append(a, x) }
action B(x in 1..2) when len(b) < 1 { b' = append(b, x) }
action Clear when a == b && a != <<>> { a' = <<>>; b' = <<>> }
invariant Short: a == b => len(a) <= 1
""",
    "nested_updates_and_capacities": """spec s7
type Msg = record { kind: enum { Req, Ack }, val: 0..2 }
type Node = record { q: seq[Msg] max 2, n: 0..2 }
var nd: map[1..1] Node
action Put(p in 1..1, v in 1..1) when len(nd[p].q) < 2 { nd'[p].q = append(nd[p].q, {kind: Req, val: v}) }
action DoAck(p in 1..1, i in 1..2) when i <= len(nd[p].q) { nd'[p].q[i].kind = Ack }
action Bump(p in 1..1, i in 0..3) { nd'[p] = nd[p] with .q = (nd[p].q with [i] = {kind: Req, val: 0}) }
action Swap(p in 1..1) when nd[p].n < 2 { nd'[p].q = if nd[p].n == 0 then <<{kind: Ack, val: 2}>> else nd[p].q; nd'[p].n = nd[p].n + 1 }
action Drop(p in 1..1) when nd[p].q != <<>> { nd'[p] = {q: tail(nd[p].q), n: 0} }
invariant I: forall p in 1..1: len(nd[p].q) <= 2
""",
    "records_in_sets": """spec r
type Msg = record { kind: enum { Req, Ack }, bal: 0..2 }
var msgs: set[Msg] = {}
var maxBal: 0..2
action Send(b in 0..2) when b >= maxBal { msgs' = msgs union {{kind: Req, bal: b}} }
action Reply(m in msgs) when m.kind == Req && m.bal >= maxBal {
   msgs' = msgs union {{kind: Ack, bal: m.bal}}
   maxBal' = m.bal
}
invariant AckHasReq: forall m in msgs: m.kind == Ack => {kind: Req, bal: m.bal} in msgs
invariant Sub: {m in Msg: m in msgs && m.bal > maxBal} subseteq msgs
""",
    "records_in_sets_violation": """spec r2
type Msg = record { kind: enum { Req, Ack }, bal: 0..2 }
var msgs: set[Msg] = {{kind: Req, bal: 0}}
var maxBal: 0..2
action Reply(m in msgs) when m.kind == Req {
   msgs' = msgs union {{kind: Ack, bal: m.bal}, {kind: Req, bal: min(m.bal + 1, 2)}}
   maxBal' = m.bal
}
invariant Small: !({kind: Ack, bal: 1} in msgs)
expect invariant
""",
    "record_element_out_of_type": """spec r3
type Msg = record { ok: bool, bal: 0..1 }
var msgs: set[Msg]
var b: 0..2
action Inc when b < 2 { b' = b + 1 }
action Put { msgs' = {{ok: true, bal: b}} }
expect domain
""",
}


def test_records_in_sets_counts_by_hand():
    # One bit per element of the product {true, false} x 0..1: 4 slots, and with no guard
    # every subset is reachable by Add/Remove of single records: 2^4 = 16 states, depth 4.
    text = """spec p
type R = record { ok: bool, n: 0..1 }
var s: set[R]
action Add(r in R) when !(r in s) { s' = s union {r} }
action Remove(r in s) { s' = s minus {r} }
invariant Bound: card(s) <= 4 && s subseteq R
"""
    system = ground(load_text(text))
    assert len(system.slots) == 4
    for engine in (explicit, vector):
        r = engine.check(system, CheckOptions())
        assert r.verdict == "ok"
        assert (r.stats.distinct_states, r.stats.depth) == (16, 4)
        # every state has exactly 4 successors (an Add per absent record, a Remove per
        # present one): 16 * 4 + 1 initial = 65 generated
        assert r.stats.generated_states == 65


@pytest.mark.parametrize("name", sorted(CASES))
def test_engines_agree_with_the_reference(name):
    v = check_text(CASES[name])
    assert v.skipped is None, v.skipped
    assert v.ok, v.disagreements


def test_sequence_errors_are_located():
    bad = {
        "var q: seq[1..3] max 100\n": "MMS303",
        "var q: seq[1..3] max 2\ninvariant I: len(3) == 0\n": "MMS301",
        "var q: seq[1..3] max 2 = <<1, 2, 3>>\n": "MMS303",
        "var q: seq[1..3] max 2\ninvariant I: q == <<true>>\n": "MMS301",
        "var q: seq[1..3] max 2\ninvariant I: append(q) == q\n": "MMS312",
    }
    for text, code in bad.items():
        with pytest.raises(SpecError) as e:
            load_text("spec bad\n" + text)
        assert code in {d.code for d in e.value.diagnostics}, (text, e.value.diagnostics)


def test_sequence_literals_and_shifts_share_angle_brackets():
    # `>>` closes a literal: its elements are arithmetic expressions (a shift, comparison or
    # logic inside one is parenthesised), so a literal ending a declaration still parses.
    spec = load_text("spec lit\nvar q: seq[0..7] max 3 = <<1, 2>>\nvar x: 0..7 = 2\n"
                     "invariant I: len(<<(x >> 1), x + 1>>) == 2 && (x << 1) >> 1 == x\n")
    assert [v.name for v in spec.variables] == ["q", "x"]
    with pytest.raises(SpecError) as e:
        load_text("spec lit\nvar x: 0..7 = 2\ninvariant I: len(<<x >> 1, 2>>) == 2\n")
    assert {d.code for d in e.value.diagnostics} == {"MMS103"}


SMALLER = """spec s4
type Procs = 1..3
var flag: map[Procs] bool
var on: set[Procs]
action Set(i in Procs) when forall j in Procs minus {i}: !flag[j] { flag'[i] = true }
action Join(i in Procs minus on) { on' = on union {i} }
action Leave(i in on inter Procs) { on' = on minus {i} }
invariant One: card({p in Procs: flag[p]}) <= 1
invariant Sub: {p in Procs: flag[p]} subseteq Procs && on subseteq Procs
"""


def test_type_as_set_minus_in_a_domain_and_state_dependent_parameters():
    # flag: all false, or exactly one true (Set(i) needs every other flag false): 4 values;
    # on: any subset of 1..3, 8 values, independent of flag: 32 states.
    # Generated: in each state, Set fires for every i when flag is all false (3), else
    # only for the flagged i (1, a self-loop); Join once per i outside `on`, Leave once per
    # i inside: 3 in every state. Over the 8 sets: 8 * (3 + 3) + 3 * 8 * (1 + 3) = 144,
    # plus the initial state: 145.
    r = explicit.check(ground(load_text(SMALLER)), CheckOptions())
    assert r.verdict == "ok"
    assert r.stats.distinct_states == 32
    assert r.stats.generated_states == 145
    v = check_text(SMALLER)
    assert v.ok, v.disagreements


def test_exists_in_an_action_guard_counts_one_successor_per_witness():
    text = """spec w
var s: set[1..3] = {1, 2}
var y: 0..1
action A when exists x in s: x >= 1 { y' = 1 - y }
action B when y == 1 && exists x in 1..3: exists z in s: x == z { y' = 0 }
"""
    # Two states (y = 0, 1; s never changes). From y = 0: A for x = 1 and x = 2 (2).
    # From y = 1: A twice again, and B for (x, z) = (1, 1), (2, 2) (4). TLC enumerates each
    # witness: 2 + 4 successors + 1 initial state = 7 generated.
    for engine in (explicit, vector):
        r = engine.check(ground(load_text(text)), CheckOptions())
        assert (r.stats.distinct_states, r.stats.generated_states) == (2, 7)
    assert check_text(text).ok


PICK = """spec pk
var s: set[0..3] = {1, 3}
var v: 0..3
var w: 0..3
action A { pick x in s where x > v; v' = x; w' = 3 - x }
action B(y in 0..1) { pick z in s; w' = min(z + y, 3) }
"""


def test_pick_in_an_action_is_one_step_per_value():
    # B sets w to min(z + y, 3) for z in {1, 3}, y in {0, 1}: w in {1, 2, 3, 3}, 4 steps in
    # every state. A moves v up to a larger element of {1, 3} (w = 3 - x). Reachable: v = 0
    # with any w (4), v = 1 with w in {1, 2, 3} (3), v = 3 with any w (4): 11 states.
    # Generated: 11 * 4 (B) + 4 * 2 (A from v = 0) + 3 * 1 (A from v = 1) + 1 initial = 56.
    r = explicit.check(ground(load_text(PICK)), CheckOptions())
    assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth) == (11, 56, 2)
    assert check_text(PICK).ok


CHOOSE = """spec c1
type Msg = record { kind: enum { Req, Ack }, bal: 0..2 }
var s: set[0..3] = {2}
var msgs: set[Msg] = {{kind: Ack, bal: 1}}
var m: 0..3
var last: Msg
def Maximum(S) = choose x in S: forall y in S: y <= x
action Add(x in 0..3) { s' = s union {x}; m' = Maximum(s union {x}) }
action Take when s != {} { s' = s minus {choose x in s: true} }
action Pick { last' = choose r in msgs: r.bal >= 1 }
invariant MaxIsMax: s != {} => (forall y in s: y <= Maximum(s))
"""
CHOOSE_NONE = """spec c2
var s: set[0..3] = {2}
var m: 0..3
action Take when s != {} { s' = s minus {choose x in s: true} }
action Max { m' = choose x in s: forall y in s: y <= x }
expect domain
"""


def test_choose_is_the_least_satisfying_value_and_none_is_a_domain_violation():
    for text in (CHOOSE, CHOOSE_NONE):
        v = check_text(text)
        assert v.skipped is None and v.ok, v.disagreements
    # Take always removes the least element, so from {2} with Add(x) for any x the value
    # of m after Add is the maximum: checked by MaxIsMax on every state. The one choose over
    # records picks {kind: Ack, bal: 1}, the only message with bal >= 1.
    system = ground(load_text(CHOOSE))
    r = explicit.check(system, CheckOptions())
    assert r.verdict == "ok"
    last = {state["last"]["kind"] for state in _states(system)}
    assert last == {"Req", "Ack"}  # Req: the initial value (first member), Ack: after Pick


def _states(system):
    """Every reachable state, as the reference evaluator shows it."""
    from tests.refeval import Model
    m = Model(system.spec)
    seen, todo = set(), list(m.initial())
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(n for _, n in m.expand(s)[0])
    return [m.show(s) for s in seen]
