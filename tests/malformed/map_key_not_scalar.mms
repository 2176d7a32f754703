// expect: MMS319 2:12
var m: map[set[0..1]] bool
