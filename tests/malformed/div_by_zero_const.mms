// expect: MMS320 2:15
const A = 1 / 0
var x: 0..A
