// expect: MMS304 2:8
var x: 3..1
