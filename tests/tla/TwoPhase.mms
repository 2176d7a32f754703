// Two-phase commit, translated from Lamport's TwoPhase.tla with exactly its atomicity:
// one action per TLA+ action, every RM-indexed action parameterised by rm.
// Source: https://github.com/tlaplus/Examples specifications/transaction_commit/TwoPhase.tla
// TLC (TwoPhase.cfg, RM = {r1, r2, r3}): 288 distinct states, 1146 states generated,
// depth 11 (specifications/transaction_commit/manifest.json in the same repository).
//
// Encoding: the TLA+ set of messages `msgs` becomes a set over message numbers: message rm
// (0..RMS-1) is [type |-> "Prepared", rm |-> rm], RMS is "Commit", RMS + 1 is "Abort" (a
// bijection, so distinct-state counts agree). Enum members are global in .mms, so the RM
// and TM "committed"/"aborted" states carry a prefix.
spec TwoPhase

const RMS = 3
type RM = 0..RMS - 1
type Msg = 0..RMS + 1
type RMState = enum { WORKING, PREPARED, RM_COMMITTED, RM_ABORTED }
type TMState = enum { TM_INIT, TM_COMMITTED, TM_ABORTED }

def COMMIT = RMS
def ABORT = RMS + 1

var rmState: map[RM] RMState = WORKING
var tmState: TMState = TM_INIT
var tmPrepared: set[RM] = {}
var msgs: set[Msg] = {}

action TMRcvPrepared(rm in RM) when tmState == TM_INIT && rm in msgs {
    tmPrepared' = tmPrepared union {rm}
}
action TMCommit when tmState == TM_INIT && (forall r in RM: r in tmPrepared) {
    tmState' = TM_COMMITTED
    msgs' = msgs union {COMMIT}
}
action TMAbort when tmState == TM_INIT {
    tmState' = TM_ABORTED
    msgs' = msgs union {ABORT}
}
action RMPrepare(rm in RM) when rmState[rm] == WORKING {
    rmState'[rm] = PREPARED
    msgs' = msgs union {rm}
}
action RMChooseToAbort(rm in RM) when rmState[rm] == WORKING {
    rmState'[rm] = RM_ABORTED
}
action RMRcvCommitMsg(rm in RM) when COMMIT in msgs {
    rmState'[rm] = RM_COMMITTED
}
action RMRcvAbortMsg(rm in RM) when ABORT in msgs {
    rmState'[rm] = RM_ABORTED
}

// TPTypeOK holds by construction (every variable is typed); TCommit's consistency:
invariant TCConsistent: forall r1 in RM: forall r2 in RM:
    !(rmState[r1] == RM_ABORTED && rmState[r2] == RM_COMMITTED)
