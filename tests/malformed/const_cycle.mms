// expect: MMS209 3:11
const A = B + 1
const B = A
var x: 0..A
