// expect: MMS102 3:23
var a: 0..3 = 0
invariant low: a <= 1 \/ a == 3
