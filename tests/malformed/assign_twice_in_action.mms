// expect: MMS314 3:20
var x: 0..2
action A { x' = 1; x' = 2 }
