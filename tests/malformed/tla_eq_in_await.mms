// expect: MMS103 4:16
var a: 0..3 = 0
process p {
    w: await a = 1
}
