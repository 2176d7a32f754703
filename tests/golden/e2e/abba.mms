// The textbook ABBA: p takes A then B, q takes B then A. Known bad, so it says so.
spec e2e_abba
option lockorder = false

mutex A
mutex B

process p {
  pa: lock(A)
  pb: lock(B)
      unlock(B)
      unlock(A)
}

process q {
  qb: lock(B)
  qa: lock(A)
      unlock(A)
      unlock(B)
}

expect deadlock
