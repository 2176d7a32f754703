// An abstract lock taken by two processes, translated from the PlusCal translation in
// Lock.tla (locks_auxiliary_vars) with exactly its atomicity: one action per label.
// Source: https://github.com/tlaplus/Examples specifications/locks_auxiliary_vars/Lock.tla
// at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9, model Lock.cfg.
// TLC (specifications/locks_auxiliary_vars/manifest.json): 12 distinct states, 21
// generated, depth 5.
spec Lock

type Proc = 1..2
type Pc = enum { l0, l1, cs, l2 }

var lock: 0..1 = 1
var pc: map[Proc] Pc = l0

action L0(p in Proc) when pc[p] == l0 { pc'[p] = l1 }
action L1(p in Proc) when pc[p] == l1 && lock == 1 { lock' = 0; pc'[p] = cs }
action CS(p in Proc) when pc[p] == cs { pc'[p] = l2 }
action L2(p in Proc) when pc[p] == l2 { lock' = 1; pc'[p] = l0 }

def lockcs(i) = pc[i] == cs || pc[i] == l2
invariant LockInv: (forall i in Proc: forall j in Proc: i != j => !(lockcs(i) && lockcs(j)))
    && ((exists p in Proc: lockcs(p)) => lock == 0)
