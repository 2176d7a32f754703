// expect: MMS351 5:3
var x: 0..1
proc set_x() { x := 1 }
process p { var r: 0..1
  call: r := set_x() }
