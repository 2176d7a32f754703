// expect: MMS217 3:1
// a CI job's secrets live in its environment: never read, never echoed
include "/proc/self/environ"
var x: bool
