// WRC+poonceonces+Once: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/WRC+poonceonces+Once.litmus @ 84a83eba5c5aba8d3186830f94ee5c3c8b0ef23e
// LKMM Result: Sometimes
spec WRC_poonceonces_Once
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
}

process P1 {
    var r0: Val = 0
    r0 := READ_ONCE(x)
    WRITE_ONCE(y, 1)
}

process P2 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(y)
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && (P1.r0 == 1 && P2.r0 == 1 && P2.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
