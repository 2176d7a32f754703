// CoWR+poonceonce+Once: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/CoWR+poonceonce+Once.litmus @ 1947bfcf81a905e84a58b423063e81034a90efed
// LKMM Result: Never
spec CoWR_poonceonce_Once
option memory = lkmm

type Val = 0..2
var x: Val = 0

process P0 {
    var r0: Val = 0
    WRITE_ONCE(x, 1)
    r0 := READ_ONCE(x)
}

process P1 {
    WRITE_ONCE(x, 2)
}

invariant no_exists: !(P0@done && P1@done && (x == 1 && P0.r0 == 2))
expect ok   // LKMM: Never
