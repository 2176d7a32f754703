// Peterson's algorithm, translated from the PlusCal algorithm in Peterson.tla with exactly
// its atomicity: one step per PlusCal label (a0: the loop test with its skip, a1, a2, the
// await a3, cs, a4 back to a0).
// Source: https://github.com/tlaplus/Examples specifications/locks_auxiliary_vars/
// Peterson.tla. TLC (Peterson.cfg): 42 distinct states, 77 states generated, depth 11
// (manifest.json in the same folder).
spec Peterson

def Other(p) = if p == 1 then 2 else 1

var c: map[1..2] bool = false
var turn: 1..2 = 1

process P[p in 1..2] {              // PlusCal: process(proc \in 1..2)
  a0: while true {
        skip
    a1: c[self] := true
    a2: turn := Other(self)
    a3: await !c[Other(self)] || turn == self
    cs: skip
    a4: c[self] := false
  }
}

def lockcs(i) = P[i]@cs || P[i]@a4
invariant Inv:
    (forall q in 1..2: c[q] <=> (P[q]@a2 || P[q]@a3 || P[q]@cs || P[q]@a4))
    && (forall q in 1..2: lockcs(q) => (turn == q || P[Other(q)]@a0
                                        || P[Other(q)]@a1 || P[Other(q)]@a2))
    && (forall i in 1..2: forall j in 1..2: i != j => !(lockcs(i) && lockcs(j)))
