// expect: MMS321 4:16
var x: 0..2
process p { if x == 0 { inner: x := 1 } }
invariant i: p@inner => x == 1
