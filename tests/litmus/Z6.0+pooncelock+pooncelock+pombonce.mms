// Z6.0+pooncelock+pooncelock+pombonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/Z6.0+pooncelock+pooncelock+pombonce.litmus @ d0034a7a4ac7fae708146ac0059b9c47a1543f0d
// LKMM Result: Sometimes
spec Z6_0_pooncelock_pooncelock_pombonce
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 0
spinlock mylock
var z: Val = 0

process P0 {
    spin_lock(mylock)
    WRITE_ONCE(x, 1)
    WRITE_ONCE(y, 1)
    spin_unlock(mylock)
}

process P1 {
    var r0: Val = 0
    spin_lock(mylock)
    r0 := READ_ONCE(y)
    WRITE_ONCE(z, 1)
    spin_unlock(mylock)
}

process P2 {
    var r1: Val = 0
    WRITE_ONCE(z, 2)
    smp_mb()
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && (P1.r0 == 1 && z == 2 && P2.r1 == 0))
expect invariant no_exists   // LKMM: Sometimes
