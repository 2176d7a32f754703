// expect: MMS317 7:1
// defines: BUGGY=1
const BUGGY = 0
var x: 0..3 = 0
action inc when x < 3 { x' = x + 1 }
expect deadlock when BUGGY == 1
expect ok when BUGGY >= 0
