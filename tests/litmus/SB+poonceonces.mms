// SB+poonceonces: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/SB+poonceonces.litmus @ 9695e7a856bf28aa4f9a0ac48a4a283c62546525
// LKMM Result: Sometimes
spec SB_poonceonces
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r0: Val = 0
    WRITE_ONCE(x, 1)
    r0 := READ_ONCE(y)
}

process P1 {
    var r0: Val = 0
    WRITE_ONCE(y, 1)
    r0 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P0.r0 == 0 && P1.r0 == 0))
expect invariant no_exists   // LKMM: Sometimes
