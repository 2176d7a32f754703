// expect: MMS301 2:16
var x: 0..2 in {}
