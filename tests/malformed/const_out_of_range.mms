// expect: MMS303 2:15
var x: 0..2 = 5
