// ISA2+poonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/ISA2+poonceonces.litmus @ 8c1dccc80380fca8db09c2a81f5deb3c49b112b2
// LKMM Result: Sometimes
spec ISA2_poonceonces
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0
var z: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    WRITE_ONCE(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := READ_ONCE(y)
    WRITE_ONCE(z, 1)
}

process P2 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(z)
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && (P1.r0 == 1 && P2.r0 == 1 && P2.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
