// expect: MMS103 5:3
var x: 0..2
process p {
  x := 1
  := 2
}
