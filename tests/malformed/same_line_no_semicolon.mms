// expect: MMS110 3:20
var x: 0..2
process p { x := 1 x := 2 }
