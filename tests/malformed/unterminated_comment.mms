// expect: MMS108 4:1
var x: bool

/* a comment that
never ends
