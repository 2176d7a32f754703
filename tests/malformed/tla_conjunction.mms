// expect: MMS102 4:19
var a: bool = true
var b: bool = false
invariant both: a /\ b
