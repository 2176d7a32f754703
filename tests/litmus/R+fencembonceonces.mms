// R+fencembonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/R+fencembonceonces.litmus @ 9d4d8572a539ef807e21c196f145aa365fd52f0e
// LKMM Result: Never
spec R_fencembonceonces
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    smp_mb()
    WRITE_ONCE(y, 1)
}

process P1 {
    var r0: Val = 0
    WRITE_ONCE(y, 2)
    smp_mb()
    r0 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (y == 2 && P1.r0 == 0))
expect ok   // LKMM: Never
