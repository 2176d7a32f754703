// CoRW+poonceonce+Once: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/CoRW+poonceonce+Once.litmus @ 84a83eba5c5aba8d3186830f94ee5c3c8b0ef23e
// LKMM Result: Never
spec CoRW_poonceonce_Once
option memory = lkmm

type Val = 0..2
var x: Val = 0

process P0 {
    var r0: Val = 0
    r0 := READ_ONCE(x)
    WRITE_ONCE(x, 1)
}

process P1 {
    WRITE_ONCE(x, 2)
}

invariant no_exists: !(P0@done && P1@done && (x == 2 && P0.r0 == 2))
expect ok   // LKMM: Never
