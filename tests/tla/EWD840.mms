// Dijkstra's termination detection on a ring (EWD 840; Merz), translated from EWD840.tla with
// exactly its atomicity: one transition per TLA+ action instance (SendMsg's \E j: one per j).
// Source: https://github.com/tlaplus/Examples specifications/ewd840/EWD840.tla at commit
// 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9. TLC (EWD840.cfg, N = 3, CHECK_DEADLOCK FALSE):
// 302 distinct states, 2001 states generated, depth 10 (specifications/ewd840/manifest.json).
// OPEN: mmspec finds the 302 states but 1817 generated and depth 9 (TLC's 10); a direct
// enumeration of the TLA+ actions (tests/test_tla_checking.py) agrees with mmspec, so the
// published run counts something this translation does not (not yet understood).
//
// TLA+ -> .mms:
// - Init is the initial predicate Init (tcolor = "black"); active, color and tpos have no
//   initial value, so they range over their types, as `x \in T` in TLA+'s Init.
// - Spec's WF_vars(System), System == InitiateProbe \/ \E i: PassToken(i), is one fairness
//   constraint on the union: `fair weak action InitiateProbe or PassToken`.
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

action InitiateProbe when tpos == 0 && (tcolor == BLACK || color[0] == BLACK) {
    tpos' = N - 1
    tcolor' = WHITE
    color'[0] = WHITE
}
action PassToken(i in 1..N - 1)
    when tpos == i && (!active[i] || color[i] == BLACK || tcolor == BLACK) {
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
fair weak action InitiateProbe or PassToken

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
