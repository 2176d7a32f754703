// MP+pooncerelease+poacquireonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+pooncerelease+poacquireonce.litmus @ 3765d01bab73bdb920ef711203978f02cd26e4da
// LKMM Result: Never
spec MP_pooncerelease_poacquireonce
option memory = lkmm

type Val = 0..1
var buf: Val = 0
var flag: Val = 0

process P0 {
    WRITE_ONCE(buf, 1)
    smp_store_release(flag, 1)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := smp_load_acquire(flag)
    r1 := READ_ONCE(buf)
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 1 && P1.r1 == 0))
expect ok   // LKMM: Never
