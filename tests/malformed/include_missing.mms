// expect: MMS210 2:1
include "nope.mmsi"
var x: bool
