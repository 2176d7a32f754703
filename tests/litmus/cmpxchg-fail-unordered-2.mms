// cmpxchg-fail-unordered-2: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux Documentation/litmus-tests/atomic/cmpxchg-fail-unordered-2.litmus @ 7237cb3e1544718a972b732e66ebcf0f63b128a5
// LKMM Result: Sometimes
spec cmpxchg_fail_unordered_2
option memory = lkmm

type Val = 0..1
var x: Val = 0
var y: Val = 0

process P0 {
    var r1: Val = 0
    WRITE_ONCE(x, 1)
    r1 := cmpxchg(y, 0, 1)
}

process P1 {
    var r1: Val = 0
    var r2: Val = 0
    r1 := cmpxchg(y, 0, 1)
    r2 := READ_ONCE(x)
}

invariant no_exists: !(P0@done && P1@done && (P0.r1 == 0 && P1.r1 == 1 && P1.r2 == 0))
expect invariant no_exists   // LKMM: Sometimes
