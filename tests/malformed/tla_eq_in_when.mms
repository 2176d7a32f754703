// expect: MMS103 3:19
var a: 0..3 = 0
action inc when a = 1 { a' = a + 1 }
