// Asynchronous termination detection (Merz, Kuppe), translated from AsyncTerminationDetection.tla
// with exactly its atomicity: one transition per TLA+ action instance.
// Source: https://github.com/tlaplus/Examples specifications/ewd998/AsyncTerminationDetection.tla
// at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9. TLC (AsyncTerminationDetection.cfg,
// N = 4, CONSTRAINT StateConstraint): 4097 distinct states, 53271 states generated, depth 14
// (specifications/ewd998/manifest.json in the same repository).
//
// TLA+ -> .mms:
// - Init's `active \in [Node -> BOOLEAN]` is `in {false, true}` on the map (every map into
//   the set); `terminationDetected \in {FALSE, terminated}` is the initial predicate DetInit.
// - StateConstraint is a `constraint`: a send that makes a pending count 4 is generated and
//   counted but not explored, so `pending` is declared 0..4 (4 occurs only in such
//   successors). Deadlock checking stays on, as in the cfg: no state is deadlocked.
// - Terminate's `terminationDetected' \in {terminationDetected, terminated'}` is a parameter
//   d with the guard `d == terminationDetected || d == terminated'`: one successor per
//   element of the set (one when the two are equal), as TLC enumerates it.
// - Quiescence, [](terminated => []terminated), is checked as the module's own
//   QuiescenceAsActionInv (terminated => terminated' on every step), which implies it.
spec AsyncTerminationDetection

const N = 4
type Node = 0..N - 1

var active: map[Node] bool in {false, true}
var pending: map[Node] 0..4 = 0
var terminationDetected: bool

def terminated = forall n in Node: !active[n] && pending[n] == 0
// terminated in the state after Terminate(i): i is inactive, pending unchanged
def terminatedAfter(i) = forall n in Node: (n == i || !active[n]) && pending[n] == 0

initial DetInit: !terminationDetected || terminated

action Terminate(i in Node, d in bool)
    when active[i] && (d == terminationDetected || d == terminatedAfter(i)) {
    active'[i] = false
    terminationDetected' = d
}
action SendMsg(i in Node, j in Node) when active[i] {
    pending'[j] = pending[j] + 1
}
action RcvMsg(i in Node) when pending[i] > 0 {
    active'[i] = true
    pending'[i] = pending[i] - 1
}
fair weak action DetectTermination when terminated {
    terminationDetected' = true
}

constraint StateConstraint: forall n in Node: pending[n] <= 3

invariant Safe: terminationDetected => terminated
property Live: terminated leadsto terminationDetected
