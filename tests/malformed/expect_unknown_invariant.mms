// expect: MMS214 4:1
var x: bool
invariant safe: !x
expect invariant saf
