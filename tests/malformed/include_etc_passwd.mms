// expect: MMS217 2:1
include "/etc/passwd"
var x: bool
