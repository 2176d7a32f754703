// A step that reads a map outside its keys (issue 11, reproducer 1): x == 0 enables Read,
// which reads c[-1]. TLC stops with "applied outside its domain"; mmspec reports a
// `domain` violation in the initial state, at the index expression.
spec OutOfDomain
var c: map[0..2] 0..5 = 0
var x: 0..2 = 0
var y: 0..5 = 0
action Read when x == 0 { y' = c[x - 1] }
