// Synchronous termination detection (Merz), the high-level spec EWD840 refines, translated
// from SyncTerminationDetection.tla with exactly its atomicity.
// Source: https://github.com/tlaplus/Examples specifications/ewd840/SyncTerminationDetection.tla
// at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9. TLC (SyncTerminationDetection.cfg, N = 7):
// 129 distinct states, 3722 states generated, depth 1 (every state is initial;
// specifications/ewd840/manifest.json in the same repository).
//
// TLA+ -> .mms: Init's `active \in [Node -> BOOLEAN]` is `in {false, true}` on the map and
// `terminationDetected \in {FALSE, terminated}` the initial predicate DetInit; Terminate's
// `terminationDetected' \in {terminationDetected, terminated'}` is a parameter d (one
// successor per element of the set); Quiescence, [](terminated => []terminated), is checked
// as the action property terminated => terminated', which implies it.
spec SyncTerminationDetection

const N = 7
type Node = 0..N - 1

var active: map[Node] bool in {false, true}
var terminationDetected: bool

def terminated = forall n in Node: !active[n]
def terminatedAfter(i) = forall n in Node: n == i || !active[n]

initial DetInit: !terminationDetected || terminated

action Terminate(i in Node, d in bool)
    when active[i] && (d == terminationDetected || d == terminatedAfter(i)) {
    active'[i] = false
    terminationDetected' = d
}
action Wakeup(i in Node, j in Node) when active[i] {
    active'[j] = true
}
fair weak action DetectTermination when terminated {
    terminationDetected' = true
}

invariant TDCorrect: terminationDetected => terminated
property Quiescence: always [terminated => terminated']
property Liveness: terminated leadsto terminationDetected
