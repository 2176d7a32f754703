// expect: MMS102 3:16
var a: 0..3 = 0
invariant r: a \in 0..2
