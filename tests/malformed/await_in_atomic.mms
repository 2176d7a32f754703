// expect: MMS309 3:30
var x: 0..2
process p { atomic { x := 1; await x > 0 } }
