// MP+poonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+poonceonces.litmus @ d263dfa7d2697a43f3299b9731cd568ee49cdd2c
// LKMM Result: Sometimes
spec MP_poonceonces
option memory = lkmm

type Val = 0..1
var buf: Val = 0
var flag: Val = 0

process P0 {
    WRITE_ONCE(buf, 1)
    WRITE_ONCE(flag, 1)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(flag)
    r1 := READ_ONCE(buf)
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 1 && P1.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
