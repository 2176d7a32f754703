// expect: MMS404 3:1
var x: 0..4000
action A(a in 0..4000, b in 0..4000) { x' = a }
