// expect: MMS107 2:5
var if: bool
