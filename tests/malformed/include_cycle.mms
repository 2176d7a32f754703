// expect: MMS211 include_cycle_b.mmsi:2:1
include "include_cycle_b.mmsi"
var x: bool
