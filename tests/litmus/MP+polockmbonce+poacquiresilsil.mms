// MP+polockmbonce+poacquiresilsil: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+polockmbonce+poacquiresilsil.litmus @ 3d34933a1c9ad6591c3980ba295967b2d6549081
// LKMM Result: Never
spec MP_polockmbonce_poacquiresilsil
option memory = lkmm

type Val = 0..1
spinlock lo
var x: Val = 0

process P0 {
    spin_lock(lo)
    smp_mb__after_spinlock()
    WRITE_ONCE(x, 1)
    spin_unlock(lo)
}

process P1 {
    var r1: Val = 0
    var r2: Val = 0
    var r3: Val = 0
    r1 := smp_load_acquire(x)
    r2 := (if locked(lo) then 1 else 0)
    r3 := (if locked(lo) then 1 else 0)
}

invariant no_exists: !(P0@done && P1@done && (P1.r1 == 1 && P1.r2 == 0 && P1.r3 == 1))
expect ok   // LKMM: Never
