// expect: MMS204 3:21
var x: 0..2
def unused(a) = a + y
