// Dijkstra's termination detection on a ring (EWD 840; Merz), translated from EWD840.tla with
// exactly its atomicity: one transition per TLA+ action instance (SendMsg's \E j: one per j).
// Source: https://github.com/tlaplus/Examples specifications/ewd840/EWD840.tla at commit
// 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9. TLC (EWD840.cfg, N = 3, CHECK_DEADLOCK FALSE):
// 302 distinct states, 2001 states generated, depth 10 (specifications/ewd840/manifest.json);
// TLC built from tlaplus/tlaplus source and run with -workers 1 on that cfg gives 302 / 2001 /
// depth 9: the published depth comes from a multi-worker run, whose depth TLC does not make
// deterministic (tests/test_tla_checking.py has the evidence), so 9 is the figure used here.
//
// TLA+ -> .mms:
// - Init is the initial predicate Init (tcolor = "black"); active, color and tpos have no
//   initial value, so they range over their types, as `x \in T` in TLA+'s Init.
// - A disjunction among an action's conjuncts is one action per disjunct: TLC evaluates an
//   action's `\/` one disjunct at a time and generates a successor for each true one, so
//   InitiateProbe (`tcolor = "black" \/ color[0] = "black"`) is two actions and PassToken
//   (`~active[i] \/ color[i] = "black" \/ tcolor = "black"`) three; their union is the TLA+
//   action (A /\ (B \/ C) is (A /\ B) \/ (A /\ C)), so the states and verdicts are the same
//   either way, and the split makes "generated" TLC's (2001, where one action each gives 1817).
// - Spec's WF_vars(System), System == InitiateProbe \/ \E i: PassToken(i), is one fairness
//   constraint on the union of the five actions.
// - TDSpec == TD!Spec (TD == INSTANCE SyncTerminationDetection, which maps terminationDetected
//   to EWD840's operator of that name) is a refinement check: RefinesTD says that every step
//   is a step of SyncTerminationDetection's Next on the mapped state (active, terminationDetected)
//   or leaves it unchanged; TD!Init is `!terminationDetected || terminated`, which the invariant
//   TerminationDetection checks in every state; TD's fairness WF(DetectTermination) follows
//   from Liveness (terminated is stable, so `terminated leadsto terminationDetected` gives it).
spec EWD840

const N = 3
type Node = 0..N - 1
type Color = enum { WHITE, BLACK }

var active: map[Node] bool
var color: map[Node] Color
var tpos: Node
var tcolor: Color

option deadlock = false

initial Init: tcolor == BLACK

// InitiateProbe: tpos = 0 /\ (tcolor = "black" \/ color[0] = "black") /\ ...
action InitiateProbeBlackToken when tpos == 0 && tcolor == BLACK {
    tpos' = N - 1
    tcolor' = WHITE
    color'[0] = WHITE
}
action InitiateProbeBlackNode when tpos == 0 && color[0] == BLACK {
    tpos' = N - 1
    tcolor' = WHITE
    color'[0] = WHITE
}
// PassToken(i): tpos = i /\ (~active[i] \/ color[i] = "black" \/ tcolor = "black") /\ ...
action PassTokenPassive(i in 1..N - 1) when tpos == i && !active[i] {
    tpos' = i - 1
    tcolor' = if color[i] == BLACK then BLACK else tcolor
    color'[i] = WHITE
}
action PassTokenBlackNode(i in 1..N - 1) when tpos == i && color[i] == BLACK {
    tpos' = i - 1
    tcolor' = if color[i] == BLACK then BLACK else tcolor
    color'[i] = WHITE
}
action PassTokenBlackToken(i in 1..N - 1) when tpos == i && tcolor == BLACK {
    tpos' = i - 1
    tcolor' = if color[i] == BLACK then BLACK else tcolor
    color'[i] = WHITE
}
action SendMsg(i in Node, j in Node) when active[i] && j != i {
    active'[j] = true
    color'[i] = if j > i then BLACK else color[i]
}
action Deactivate(i in Node) when active[i] {
    active'[i] = false
}
fair weak action InitiateProbeBlackToken or InitiateProbeBlackNode or PassTokenPassive
    or PassTokenBlackNode or PassTokenBlackToken

def terminated = forall i in Node: !active[i]
def terminationDetected = tpos == 0 && tcolor == WHITE && color[0] == WHITE && !active[0]

invariant TerminationDetection: terminationDetected => terminated
invariant Inv: (forall i in Node: tpos < i => !active[i])
    || (exists j in Node: j <= tpos && color[j] == BLACK)
    || tcolor == BLACK
property Liveness: terminated leadsto terminationDetected

// SyncTerminationDetection's Next on the mapped state, or a stuttering step of it
def same(n) = active'[n] == active[n]
def TDTerminate(i) = active[i] && !active'[i] && (forall n in Node: n == i || same(n))
    && (terminationDetected' == terminationDetected || terminationDetected' == terminated')
def TDWakeup(i, j) = active[i] && active'[j] && (forall n in Node: n == j || same(n))
    && terminationDetected' == terminationDetected
def TDDetect = terminated && terminationDetected' && (forall n in Node: same(n))
def TDUnchanged = (forall n in Node: same(n)) && terminationDetected' == terminationDetected
property RefinesTD: always [(exists i in Node: TDTerminate(i))
    || (exists i in Node: exists j in Node: TDWakeup(i, j)) || TDDetect || TDUnchanged]
