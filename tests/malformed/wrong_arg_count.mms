// expect: MMS312 3:13
mutex m
process p { lock(m, 1) }
