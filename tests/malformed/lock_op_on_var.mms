// expect: MMS307 3:18
var x: 0..2
process p { lock(x) }
