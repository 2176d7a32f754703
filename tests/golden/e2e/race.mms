// Two threads bump a counter under a mutex, but unlock before leaving the critical
// section: the second thread gets in while the first still counts itself inside.
spec e2e_mutex_race

mutex m
rwsem mm
var inside: 0..2 = 0

process t[i in 1..2] {
  lock:   lock(m)
  enter:  inside := inside + 1
  read:   down_read(mm)
  unlock: unlock(m)              // BUG: released before leaving
  leave:  inside := inside - 1
  up:     up_read(mm)
}

invariant excl: inside <= 1
