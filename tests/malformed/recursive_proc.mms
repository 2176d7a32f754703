// expect: MMS212 3:16
var x: 0..2
proc again() { again() }
process p { again() }
