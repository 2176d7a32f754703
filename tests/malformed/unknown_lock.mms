// expect: MMS203 4:8
mutex mm
process p {
  lock(m)
}
