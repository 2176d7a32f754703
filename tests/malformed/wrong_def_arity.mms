// expect: MMS312 3:14
def f(a, b) = a + b
invariant i: f(1) > 0
var x: bool
