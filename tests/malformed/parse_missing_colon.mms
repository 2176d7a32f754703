// expect: MMS103 2:7
var x 0..2
