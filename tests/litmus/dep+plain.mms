// dep+plain: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/dep+plain.litmus @ 0604aa87b098740f2e517a584552591cbf2209d7
// LKMM Result: Never
spec dep_plain
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0
var z1: Val = 0
var z2: Val = 0

process P0 {
    var a: Val = 0
    var tmp1: Val = 0
    var tmp2: Val = 0
    a := READ_ONCE(x)
    z1 := a
    tmp1 := z1
    z2 := tmp1
    tmp2 := z2
    if (tmp2 == 1) {
        WRITE_ONCE(y, 1)
    }
}

process P1 {
    var r: Val = 0
    r := smp_load_acquire(y)
    smp_store_release(x, r)
}

invariant no_exists: !(P0@done && P1@done && (x == 1 && y == 1))
expect ok   // LKMM: Never
