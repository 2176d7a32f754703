// expect: MMS310 3:22
var x: 0..2
process p { atomic { while x > 0 { x := x - 1 } } }
