// expect: MMS305 3:16
var m: map[1..2] bool
invariant i: m[true]
