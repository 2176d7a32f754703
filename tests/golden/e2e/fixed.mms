// The fix: both threads take A before B.
spec e2e_ordered

mutex A
mutex B
var n: 0..2 = 0

process t[i in 1..2] {
  a:  lock(A)
  b:  lock(B)
  cs: n := n + 1
      unlock(B)
      unlock(A)
}

invariant bounded: n <= 2
