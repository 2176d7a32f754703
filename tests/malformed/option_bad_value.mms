// expect: MMS318 3:19
var x: bool
option deadlock = 3
