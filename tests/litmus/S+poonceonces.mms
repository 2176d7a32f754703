// S+poonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/S+poonceonces.litmus @ 50df51d12c3175573de9c94968639bdd625ec549
// LKMM Result: Sometimes
spec S_poonceonces
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 2)
    WRITE_ONCE(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := READ_ONCE(y)
    WRITE_ONCE(x, 1)
}

invariant no_exists: !(P0@done && P1@done && (x == 2 && P1.r0 == 1))
expect invariant no_exists   // LKMM: Sometimes
