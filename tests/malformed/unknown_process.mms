// expect: MMS206 3:14
var x: bool
invariant i: q@a => x
