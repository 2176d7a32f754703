// expect: MMS301 3:14
var b: bool
invariant i: b < true
