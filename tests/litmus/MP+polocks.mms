// MP+polocks: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+polocks.litmus @ b6ff30849ca723b78306514246b98ca5645d92f5
// LKMM Result: Never
spec MP_polocks
option memory = lkmm

type Val = 0..1
spinlock mylock
var buf: Val = 0
var flag: Val = 0

process P0 {
    WRITE_ONCE(buf, 1)
    spin_lock(mylock)
    WRITE_ONCE(flag, 1)
    spin_unlock(mylock)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    spin_lock(mylock)
    r0 := READ_ONCE(flag)
    spin_unlock(mylock)
    r1 := READ_ONCE(buf)
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 1 && P1.r1 == 0))
expect ok   // LKMM: Never
