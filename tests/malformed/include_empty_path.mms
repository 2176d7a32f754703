// expect: MMS218 2:1
include ""
var x: bool
