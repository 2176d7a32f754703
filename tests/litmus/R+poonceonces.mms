// R+poonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/R+poonceonces.litmus @ 84a83eba5c5aba8d3186830f94ee5c3c8b0ef23e
// LKMM Result: Sometimes
spec R_poonceonces
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    WRITE_ONCE(y, 1)
}

process P1 {
    var r0: Val = 0
    WRITE_ONCE(y, 2)
    r0 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (y == 2 && P1.r0 == 0))
expect invariant no_exists   // LKMM: Sometimes
