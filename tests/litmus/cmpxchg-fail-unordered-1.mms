// cmpxchg-fail-unordered-1: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux Documentation/litmus-tests/atomic/cmpxchg-fail-unordered-1.litmus @ 2ba5b4130e3d5d05c95981e1d2e660d57e613fda
// LKMM Result: Sometimes
spec cmpxchg_fail_unordered_1
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
    r0 := READ_ONCE(y)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    WRITE_ONCE(y, 1)
    r1 := cmpxchg(z, 1, 0)
    r0 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 0 && P1.r0 == 0))
expect invariant no_exists   // LKMM: Sometimes
