// expect: MMS107 2:5
var __x: bool
