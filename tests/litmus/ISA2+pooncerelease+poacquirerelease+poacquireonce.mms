// ISA2+pooncerelease+poacquirerelease+poacquireonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/ISA2+pooncerelease+poacquirerelease+poacquireonce.litmus @ 2555693dd85c7a726eed570736bf6e1c4c7116ed
// LKMM Result: Never
spec ISA2_pooncerelease_poacquirerelease_poacquireonce
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0
var z: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    smp_store_release(y, 1)
}

process P1 {
    var r0: Val = 0
    r0 := smp_load_acquire(y)
    smp_store_release(z, 1)
}

process P2 {
    var r0: Val = 0
    var r1: Val = 0
    r0 := smp_load_acquire(z)
    r1 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && P2@done && (P1.r0 == 1 && P2.r0 == 1 && P2.r1 == 0))
expect ok   // LKMM: Never
