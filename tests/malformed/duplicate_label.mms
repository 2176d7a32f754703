// expect: MMS216 5:3
var x: 0..2
process p {
  a: x := 1
  a: x := 2
}
