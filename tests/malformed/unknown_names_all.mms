// expect: MMS204 4:8
var x: 0..2
process p {
  x := yy + zz
  qq := 1
}
