// The transaction-commit specification, translated from Lamport's TCommit.tla with exactly
// its atomicity: Prepare(rm) and the two disjuncts of Decide(rm), each its own action (TLC
// generates one successor per disjunct and witness, and so does this).
// Source: https://github.com/tlaplus/Examples specifications/transaction_commit/TCommit.tla
// at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9, model TCommit.cfg (RM = {r1, r2, r3},
// CHECK_DEADLOCK FALSE). TLC (specifications/transaction_commit/manifest.json): 34 distinct
// states, 94 generated, depth 7.
spec TCommit

type RM = 1..3
type St = enum { working, prepared, committed, aborted }

var rmState: map[RM] St = working

def canCommit = forall rm in RM: rmState[rm] == prepared || rmState[rm] == committed
def notCommitted = forall rm in RM: rmState[rm] != committed

action Prepare(rm in RM) when rmState[rm] == working { rmState'[rm] = prepared }
action DecideCommit(rm in RM) when rmState[rm] == prepared && canCommit {
    rmState'[rm] = committed
}
action DecideAbort(rm in RM)
        when (rmState[rm] == working || rmState[rm] == prepared) && notCommitted {
    rmState'[rm] = aborted
}

invariant TCConsistent: forall rm1 in RM: forall rm2 in RM:
    !(rmState[rm1] == aborted && rmState[rm2] == committed)
option deadlock = false
