// LB+fencembonceonce+ctrlonceonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/LB+fencembonceonce+ctrlonceonce.litmus @ 10205618052908770451acd33eaeaa7685e97ed2
// LKMM Result: Never
spec LB_fencembonceonce_ctrlonceonce
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r0: Val = 0
    r0 := READ_ONCE(x)
    if (r0 != 0) {
        WRITE_ONCE(y, 1)
    }
}

process P1 {
    var r0: Val = 0
    r0 := READ_ONCE(y)
    smp_mb()
    WRITE_ONCE(x, 1)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 1 && P1.r0 == 1))
expect ok   // LKMM: Never
