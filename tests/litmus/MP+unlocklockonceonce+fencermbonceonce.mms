// MP+unlocklockonceonce+fencermbonceonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+unlocklockonceonce+fencermbonceonce.litmus @ 9695e7a856bf28aa4f9a0ac48a4a283c62546525
// LKMM Result: Never
spec MP_unlocklockonceonce_fencermbonceonce
option memory = lkmm

type Val = 0..1
spinlock s
spinlock t
var x: Val = 0
var y: Val = 0

process P0 {
    spin_lock(s)
    WRITE_ONCE(x, 1)
    spin_unlock(s)
    spin_lock(t)
    WRITE_ONCE(y, 1)
    spin_unlock(t)
}

process P1 {
    var r1: Val = 0
    var r2: Val = 0
    r1 := READ_ONCE(y)
    smp_rmb()
    r2 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P1.r1 == 1 && P1.r2 == 0))
expect ok   // LKMM: Never
