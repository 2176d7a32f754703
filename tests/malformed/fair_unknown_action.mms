// expect: MMS204 3:1
var x: bool
fair action Step
action Stp { x' = true }
