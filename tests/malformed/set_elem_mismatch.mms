// expect: MMS301 3:14
var s: set[0..2]
invariant i: true in s
