// expect: MMS213 3:1
var x: bool
option deadlok = false
