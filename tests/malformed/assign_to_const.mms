// expect: MMS313 3:13
const N = 2
process p { N := 3 }
