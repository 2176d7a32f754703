// expect: MMS207 3:26
var x: 0..2
process p { x := x + 0 + foo(1) }
