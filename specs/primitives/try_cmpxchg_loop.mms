// The fix of try_cmpxchg_stale_new.mms: `new` is computed from `old` on every attempt, as
// in the kernel's idiom
//
//     old = atomic_read(&cnt);
//     do {
//             new = old + 1;
//     } while (!atomic_try_cmpxchg(&cnt, &old, new));
spec try_cmpxchg_loop

const N = 2                         // incrementing threads

var cnt: 0..N = 0

process inc[i in 1..N] {
    var old: 0..N
    var new: 0..N + 1
    var ok: bool
  rd:   old := atomic_read(&cnt)
  loop: while !ok {
  calc:     new := old + 1
  try:      ok := atomic_try_cmpxchg(&cnt, &old, new)
        }
}

invariant no_lost_increment: (forall i in 1..N: inc[i]@done) => cnt == N
