// expect: MMS317 3:1
var x: bool
expect deadlock foo
