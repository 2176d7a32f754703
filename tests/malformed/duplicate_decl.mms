// expect: MMS201 3:5
var x: bool
var x: 0..1
