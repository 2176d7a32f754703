// expect: MMS109 4:18
var x: 0..2
process p {
  assert x == 0, "oops
}
