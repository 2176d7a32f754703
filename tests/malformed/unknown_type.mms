// expect: MMS202 3:8
type Tid = 1..2
var x: Tiid
