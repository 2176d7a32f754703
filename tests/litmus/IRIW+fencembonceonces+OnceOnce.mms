// IRIW+fencembonceonces+OnceOnce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/IRIW+fencembonceonces+OnceOnce.litmus @ 8db90aa36063f471bea1e65e23185913043852dc
// LKMM Result: Never
spec IRIW_fencembonceonces_OnceOnce
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
    smp_mb()
    r1 := READ_ONCE(y)
}

process P2 {
    WRITE_ONCE(y, 1)
}

process P3 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(y)
    smp_mb()
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && P3@done && (P1.r0 == 1 && P1.r1 == 0 && P3.r0 == 1 && P3.r1 == 0))
expect ok   // LKMM: Never
