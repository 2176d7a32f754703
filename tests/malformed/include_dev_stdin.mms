// expect: MMS217 2:1
include "/dev/stdin"
var x: bool
