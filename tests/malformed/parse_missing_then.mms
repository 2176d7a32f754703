// expect: MMS103 3:24
var x: 0..2
invariant i: if x == 1 x else true
