// ISA2+pooncelock+pooncelock+pombonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/ISA2+pooncelock+pooncelock+pombonce.litmus @ 2313f4700327fb7d6aa3989edfa5bffcd7080d36
// LKMM Result: Never
spec ISA2_pooncelock_pooncelock_pombonce
option memory = lkmm

type Val = 0..1
spinlock mylock
var x: Val = 0
var y: Val = 0
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
    var r2: Val = 0
    r2 := READ_ONCE(z)
    smp_mb()
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && (P1.r0 == 1 && P2.r2 == 1 && P2.r1 == 0))
expect ok   // LKMM: Never
