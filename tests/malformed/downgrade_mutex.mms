// expect: MMS308 3:38
mutex m
process p { lock(m); downgrade_write(m) }
