// expect: MMS301 3:18
var x: 0..2
process p { x := true }
