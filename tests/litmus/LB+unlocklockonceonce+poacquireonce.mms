// LB+unlocklockonceonce+poacquireonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/LB+unlocklockonceonce+poacquireonce.litmus @ 0cfa80d3c398c747f9d502f5812465b082ad675a
// LKMM Result: Never
spec LB_unlocklockonceonce_poacquireonce
option memory = lkmm

type Val = 0..1
spinlock s
spinlock t
var x: Val = 0
var y: Val = 0

process P0 {
    var r1: Val = 0
    spin_lock(s)
    r1 := READ_ONCE(x)
    spin_unlock(s)
    spin_lock(t)
    WRITE_ONCE(y, 1)
    spin_unlock(t)
}

process P1 {
    var r2: Val = 0
    r2 := smp_load_acquire(y)
    WRITE_ONCE(x, 1)
}

invariant no_exists: !(P0@done && P1@done && (P0.r1 == 1 && P1.r2 == 1))
expect ok   // LKMM: Never
