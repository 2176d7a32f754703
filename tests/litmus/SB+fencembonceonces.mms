// SB+fencembonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/SB+fencembonceonces.litmus @ 55b024554aae776e18c5666d7ac20c53c014a680
// LKMM Result: Never
spec SB_fencembonceonces
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r0: Val = 0
    WRITE_ONCE(x, 1)
    smp_mb()
    r0 := READ_ONCE(y)
}

process P1 {
    var r0: Val = 0
    WRITE_ONCE(y, 1)
    smp_mb()
    r0 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 0 && P1.r0 == 0))
expect ok   // LKMM: Never
