// expect: MMS205 4:16
var x: bool
process p { a: x := true }
invariant i: p@nope => x
