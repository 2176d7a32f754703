// The fix of relaxed_recheck: the test and the increment in one atomic_try_cmpxchg() loop
// (what atomic_add_unless() does), whose failed attempt hands back the value it saw.
//
//     int old = atomic_read(&users);
//     do {
//             if (old >= LIMIT)
//                     return false;
//     } while (!atomic_try_cmpxchg(&users, &old, old + 1));
spec relaxed_recheck_cmpxchg

const LIMIT = 2
var users: 0..LIMIT + 1 = 1

// atomic_try_cmpxchg(&users, &old, new): one atomic step; on failure old := users
proc try_cmpxchg_users(&old, new) {
    var ok: bool
    atomic {
        if users == old { users := new; ok := true } else { old := users; ok := false }
        return ok
    }
}

process get[i in 1..2] {
    var old: 0..LIMIT + 1
    var ok: bool
  ld:      old := users                  // atomic_read()
  loop:    while !ok {
             if old >= LIMIT { goto out }
  try:       ok := try_cmpxchg_users(old, old + 1)
           }
  out:     skip
}

invariant bounded: users <= LIMIT
expect ok
