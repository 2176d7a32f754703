// expect: MMS212 2:12
def f(n) = f(n) + 1
var x: 0..2
invariant i: f(x) > 0
