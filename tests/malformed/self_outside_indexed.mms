// expect: MMS215 3:18
var x: 0..2
process p { x := self }
