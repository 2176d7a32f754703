// expect: MMS204 4:19
var f_count: 0..2 = 2
process closer {
  put: f_count := f_cout - 1
}
