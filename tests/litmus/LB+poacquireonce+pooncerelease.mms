// LB+poacquireonce+pooncerelease: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/LB+poacquireonce+pooncerelease.litmus @ 0b77b97066628deef03a6eac7b29e5c3756f4ab0
// LKMM Result: Never
spec LB_poacquireonce_pooncerelease
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r0: Val = 0
    r0 := READ_ONCE(x)
    smp_store_release(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := smp_load_acquire(y)
    WRITE_ONCE(x, 1)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 1 && P1.r0 == 1))
expect ok   // LKMM: Never
