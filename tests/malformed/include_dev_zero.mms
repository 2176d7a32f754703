// expect: MMS217 2:1
include "/dev/zero"
var x: bool
