// expect: MMS405 18:16
spec defs_double
var x: 0..1 = 0
def d0(a) = a + 1
def d1(a) = d0(a) + d0(a)        // each def doubles the expansion
def d2(a) = d1(a) + d1(a)
def d3(a) = d2(a) + d2(a)
def d4(a) = d3(a) + d3(a)
def d5(a) = d4(a) + d4(a)
def d6(a) = d5(a) + d5(a)
def d7(a) = d6(a) + d6(a)
def d8(a) = d7(a) + d7(a)
def d9(a) = d8(a) + d8(a)
def d10(a) = d9(a) + d9(a)
def d11(a) = d10(a) + d10(a)
def d12(a) = d11(a) + d11(a)
def d13(a) = d12(a) + d12(a)
action Go when d13(x) > 0 { x' = 1; }
