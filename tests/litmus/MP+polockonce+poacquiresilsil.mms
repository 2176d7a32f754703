// MP+polockonce+poacquiresilsil: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+polockonce+poacquiresilsil.litmus @ fbda16fbaf29042714b6c68b39bd9ba461771b1d
// LKMM Result: Sometimes
spec MP_polockonce_poacquiresilsil
option memory = lkmm

type Val = 0..1
spinlock lo
var x: Val = 0

process P0 {
    spin_lock(lo)
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
expect invariant no_exists   // LKMM: Sometimes
