// expect: MMS205 4:8
var x: bool
process p {
  goto nowhere
}
