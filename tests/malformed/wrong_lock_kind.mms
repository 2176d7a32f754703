// expect: MMS308 3:23
mutex m
process p { down_read(m); up_read(m) }
