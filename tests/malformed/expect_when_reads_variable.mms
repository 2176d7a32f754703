// expect: MMS302 5:37
const BUGGY = 1
var x: 0..3 = 0
action inc when x < 3 { x' = x + 1 }
expect invariant small when BUGGY + x == 1
invariant small: x < 3
