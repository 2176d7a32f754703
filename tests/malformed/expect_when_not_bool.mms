// expect: MMS301 5:22
const BUGGY = 1
var x: 0..3 = 0
action inc when x < 3 { x' = x + 1 }
expect deadlock when BUGGY
