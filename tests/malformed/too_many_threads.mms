// expect: MMS403 3:1
var x: bool
process p[i in 1..100] { x := true }
