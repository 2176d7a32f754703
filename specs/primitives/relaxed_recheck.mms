// The reviewer's trap, written honestly: a counter bounded by LIMIT, re-checked with a
// relaxed load and then incremented.
//
//     if (READ_ONCE(users) < LIMIT)     // the re-check: a load
//             atomic_inc(&users);       // the increment: a second access
//
// Two threads both load users == LIMIT - 1, both pass, both increment: LIMIT + 1. Written
// as `if users < LIMIT { users := users + 1 }` the load and the increment would be one
// step and the race would vanish; mmspec warns about that form (MMS350). Here the load is
// its own step, into a per-thread register. The fix is relaxed_recheck_cmpxchg.
spec relaxed_recheck

const LIMIT = 2
var users: 0..LIMIT + 1 = 1

process get[i in 1..2] {
    var seen: 0..LIMIT + 1
  recheck: seen := users                 // READ_ONCE(users)
  inc:     if seen < LIMIT {
             users := users + 1          // atomic_inc(&users)
           }
}

invariant bounded: users <= LIMIT
expect invariant bounded
