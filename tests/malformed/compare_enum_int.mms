// expect: MMS301 3:14
var e: enum { A, B }
invariant i: e == 1
