// expect: MMS302 3:11
var x: 0..2
const N = x + 1
var y: 0..N
