// expect: MMS310 3:22
var x: 0..2
process p { atomic { either { x := 1 } or { x := 2 } } }
