// MP+onceassign+derefonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/MP+onceassign+derefonce.litmus @ 84a83eba5c5aba8d3186830f94ee5c3c8b0ef23e
// LKMM Result: Never
spec MP_onceassign_derefonce
option memory = lkmm

type Val = 0..3
// addresses: &x == 2, &y == 3 (0 is NULL)
var p: Val = 3
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    rcu_assign_pointer(p, 2)
}

process P1 {
    var r0: Val = 0
    var r1: Val = 0
    // rcu_read_lock(): no grace period in this test, so it orders nothing in LKMM
    r0 := rcu_dereference(p)
    if r0 == 2 {   // r0 points to x
        r1 := READ_ONCE(x)
    } else if r0 == 3 {   // r0 points to y
        r1 := READ_ONCE(y)
    } else {
        assert false, "r0 points to no location"
    }
    // rcu_read_unlock(): no grace period in this test, so it orders nothing in LKMM
}

invariant no_exists: !(P0@done && P1@done && (P1.r0 == 2 && P1.r1 == 0))
expect ok   // LKMM: Never
