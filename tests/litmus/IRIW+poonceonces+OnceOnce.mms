// IRIW+poonceonces+OnceOnce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/IRIW+poonceonces+OnceOnce.litmus @ b7e1a1e9ae490a2a35376ad22b1d1fe779667bbf
// LKMM Result: Sometimes
spec IRIW_poonceonces_OnceOnce
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(x)
    r1 := READ_ONCE(y)
}

process P2 {
    WRITE_ONCE(y, 1)
}

process P3 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(y)
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && P3@done && (P1.r0 == 1 && P1.r1 == 0 && P3.r0 == 1 && P3.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
