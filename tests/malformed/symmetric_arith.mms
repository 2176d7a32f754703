// expect: MMS306 4:26
symmetric type T = 1..2
var x: 0..3
process p[i in T] { x := i + 1 }
