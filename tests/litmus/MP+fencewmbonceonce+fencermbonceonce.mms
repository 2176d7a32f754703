// MP+fencewmbonceonce+fencermbonceonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+fencewmbonceonce+fencermbonceonce.litmus @ 415e915fdfc775ad0c6675fde1008f6f43dd6251
// LKMM Result: Never
spec MP_fencewmbonceonce_fencermbonceonce
option memory = lkmm

type Val = 0..1
var buf: Val = 0
var flag: Val = 0

process P0 {
    WRITE_ONCE(buf, 1)
    smp_wmb()
    WRITE_ONCE(flag, 1)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(flag)
    smp_rmb()
    r1 := READ_ONCE(buf)
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 1 && P1.r1 == 0))
expect ok   // LKMM: Never
