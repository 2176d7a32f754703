// expect: MMS311 6:3
mutex m
process p {
  lock(m)
  unlock(m)
  unlock(m)
}
