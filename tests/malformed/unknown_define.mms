// expect: MMS208 <command line>
// defines: NN=3
const N = 2
var x: 0..N
