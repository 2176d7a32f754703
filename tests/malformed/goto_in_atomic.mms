// expect: MMS310 3:25
var x: 0..2
process p { a: atomic { goto a } }
