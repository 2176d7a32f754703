// Z6.0+pooncerelease+poacquirerelease+fencembonceonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/Z6.0+pooncerelease+poacquirerelease+fencembonceonce.litmus @ 8db90aa36063f471bea1e65e23185913043852dc
// LKMM Result: Sometimes
spec Z6_0_pooncerelease_poacquirerelease_fencembonceonce
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 0
var z: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    smp_store_release(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := smp_load_acquire(y)
    smp_store_release(z, 1)
}

process P2 {
    var r1: Val = 0
    WRITE_ONCE(z, 2)
    smp_mb()
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && (P1.r0 == 1 && z == 2 && P2.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
