// expect: MMS103 3:16
var y: 0..3 = 0
action inc { y := y + 1 }
