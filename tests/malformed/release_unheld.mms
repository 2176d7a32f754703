// expect: MMS311 4:3
mutex m
process p {
  unlock(m)
}
