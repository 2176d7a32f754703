// expect: MMS316 3:14
var r: record { a: bool, b: 0..1 }
invariant i: r.c == 0
