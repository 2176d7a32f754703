// expect: MMS401 2:12
var m: map[0..10000] bool
