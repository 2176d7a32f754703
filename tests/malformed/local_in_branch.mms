// expect: MMS315 3:20
var x: bool
process p { if x { var y: bool; x := y } }
