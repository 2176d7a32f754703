// MP+porevlocks: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+porevlocks.litmus @ 550d14e3942c7d93ed3a3f38d6de94673e24988f
// LKMM Result: Never
spec MP_porevlocks
option memory = lkmm

type Val = 0..1
var buf: Val = 0
var flag: Val = 0
spinlock mylock

process P0 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := READ_ONCE(flag)
    spin_lock(mylock)
    r1 := READ_ONCE(buf)
    spin_unlock(mylock)
}

process P1 {
    spin_lock(mylock)
    WRITE_ONCE(buf, 1)
    spin_unlock(mylock)
    WRITE_ONCE(flag, 1)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 1 && P0.r1 == 0))
expect ok   // LKMM: Never
