// LB+poonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/LB+poonceonces.litmus @ 281a94b0f2f0775a2b7825c18bccf7e4c922b7b3
// LKMM Result: Sometimes
spec LB_poonceonces
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r0: Val = 0
    r0 := READ_ONCE(x)
    WRITE_ONCE(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := READ_ONCE(y)
    WRITE_ONCE(x, 1)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 1 && P1.r0 == 1))
expect invariant no_exists   // LKMM: Sometimes
