// expect: MMS102 3:17
var a: 0..3 = 0
invariant ne: a # 3
