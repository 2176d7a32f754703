// expect: MMS309 4:30
mutex m
var x: 0..2
process p { atomic { x := 1; lock(m) }; unlock(m) }
