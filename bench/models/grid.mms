// GRID(K, M): K independent counters in 0..M, one action per counter that increments it
// while it is below M. (M+1)^K distinct states, depth K*M. The classic "how fast is the
// state store" benchmark: every state has up to K successors, mostly already seen.
spec grid

const K = 6
const M = 9

type C = 1..K

var c: map[C] 0..M = 0

action Inc(i in C) when c[i] < M {
    c'[i] = c[i] + 1
}

option deadlock = false
