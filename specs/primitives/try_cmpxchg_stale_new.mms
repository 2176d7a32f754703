// A try_cmpxchg() loop that computes `new` once, outside the loop (issue 15 item 5).
//
//     old = atomic_read(&cnt);
//     new = old + 1;                           /* BUG: not recomputed on failure */
//     while (!atomic_try_cmpxchg(&cnt, &old, new))
//             ;
//
// On failure try_cmpxchg() loads the current value into `old`, and the next attempt swaps
// it for the stale `new`: two concurrent increments from 0 leave cnt at 1. The fixed loop,
// try_cmpxchg_loop.mms, computes `new` from `old` in the loop body. Each statement is a step
// of its own: the read, the computation, every try_cmpxchg.
spec try_cmpxchg_stale_new

const N = 2                         // incrementing threads

var cnt: 0..N = 0

process inc[i in 1..N] {
    var old: 0..N
    var new: 0..N + 1
    var ok: bool
  rd:   old := atomic_read(&cnt)
  calc: new := old + 1
  try:  ok := atomic_try_cmpxchg(&cnt, &old, new)
  loop: while !ok {
  retry:    ok := atomic_try_cmpxchg(&cnt, &old, new)
        }
}

// both increments landed
invariant no_lost_increment: (forall i in 1..N: inc[i]@done) => cnt == N

expect invariant no_lost_increment
