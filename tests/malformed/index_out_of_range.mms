// expect: MMS303 3:16
var m: map[1..2] 0..1
invariant i: m[3] == 0
