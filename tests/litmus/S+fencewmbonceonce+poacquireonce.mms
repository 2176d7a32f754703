// S+fencewmbonceonce+poacquireonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/S+fencewmbonceonce+poacquireonce.litmus @ b5630b0af3ca87e8080c89c67dc42663d2266a49
// LKMM Result: Never
spec S_fencewmbonceonce_poacquireonce
option memory = lkmm

type Val = 0..2
var x: Val = 0
var y: Val = 0

process P0 {
    WRITE_ONCE(x, 2)
    smp_wmb()
    WRITE_ONCE(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := smp_load_acquire(y)
    WRITE_ONCE(x, 1)
}

invariant no_exists: !(P0@done && P1@done && (x == 2 && P1.r0 == 1))
expect ok   // LKMM: Never
