// expect: MMS101 2:8
var x: ÿþ bool
