// expect: MMS103 4:10
var a: 0..3 = 0
process p {
    w: a = 1
}
