// expect: MMS102 2:17
var x: 0..2 = 1 $
