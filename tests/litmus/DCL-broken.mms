// DCL-broken: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux Documentation/litmus-tests/locking/DCL-broken.litmus @ 03c601927b673a243c9595e1ecc9e8adfdd02438
// LKMM Result: Sometimes
spec DCL_broken
option memory = lkmm

type Val = 0..1
var flag: Val = 0
var data: Val = 0
spinlock lck

process P0 {
    var r0: Val = 0
    var r1: Val = 0
    var r2: Val = 0
    r0 := READ_ONCE(flag)
    if (r0 == 0) {
        spin_lock(lck)
        r1 := READ_ONCE(flag)
        if (r1 == 0) {
            WRITE_ONCE(data, 1)
            WRITE_ONCE(flag, 1)
        }
        spin_unlock(lck)
    }
    r2 := READ_ONCE(data)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    var r2: Val = 0
    r0 := READ_ONCE(flag)
    if (r0 == 0) {
        spin_lock(lck)
        r1 := READ_ONCE(flag)
        if (r1 == 0) {
            WRITE_ONCE(data, 1)
            WRITE_ONCE(flag, 1)
        }
        spin_unlock(lck)
    }
    r2 := READ_ONCE(data)
}

invariant no_exists: !(P0@done && P1@done && (P0.r2 == 0 || P1.r2 == 0))
expect invariant no_exists   // LKMM: Sometimes
