// expect: MMS317 4:1
var x: 0..3 = 0
action inc when x < 3 { x' = x + 1 }
expect ok fine
