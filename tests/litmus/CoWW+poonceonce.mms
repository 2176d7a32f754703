// CoWW+poonceonce: a herd7 C litmus test translated by `mmspec litmus`.
// source: torvalds/linux tools/memory-model/litmus-tests/CoWW+poonceonce.litmus @ cbecf716ca618fd44feda6bd9a64a8179d031fc5
// LKMM Result: Never
spec CoWW_poonceonce
option memory = lkmm

type Val = 0..2
var x: Val = 0

process P0 {
    WRITE_ONCE(x, 1)
    WRITE_ONCE(x, 2)
}

invariant no_exists: !(P0@done && x == 1)
expect ok   // LKMM: Never
