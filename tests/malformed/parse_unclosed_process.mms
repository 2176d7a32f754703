// expect: MMS104 5:12
mutex m
process p {
  lock(m)
  unlock(m)
