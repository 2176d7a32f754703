// cmpxchg-fail-ordered-1: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux Documentation/litmus-tests/atomic/cmpxchg-fail-ordered-1.litmus @ d754ed2821fd9675d203cb73c4afcd593e28b7d0
// LKMM Result: Never
spec cmpxchg_fail_ordered_1
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0
var z: Val = 0

process P0 {
    var r0: Val = 0
    var r1: Val = 0
    WRITE_ONCE(x, 1)
    r1 := cmpxchg(z, 1, 0)
    smp_mb__after_atomic()
    r0 := READ_ONCE(y)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    WRITE_ONCE(y, 1)
    r1 := cmpxchg(z, 1, 0)
    smp_mb__after_atomic()
    r0 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 0 && P1.r0 == 0))
expect ok   // LKMM: Never
