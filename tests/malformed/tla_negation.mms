// expect: MMS301 3:15
var a: bool = true
invariant na: ~a
