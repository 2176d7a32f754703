// cmpxchg-fail-ordered-2: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux Documentation/litmus-tests/atomic/cmpxchg-fail-ordered-2.litmus @ c771600c6af14749609b49565ffb4cac2959710d
// LKMM Result: Never
spec cmpxchg_fail_ordered_2
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r1: Val = 0
    WRITE_ONCE(x, 1)
    r1 := cmpxchg(y, 0, 1)
}

process P1 {
    var r1: Val = 0
    var r2: Val = 0
    r1 := cmpxchg(y, 0, 1)
    smp_mb__after_atomic()
    r2 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P0.r1 == 0 && P1.r1 == 1 && P1.r2 == 0))
expect ok   // LKMM: Never
