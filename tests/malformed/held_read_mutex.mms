// expect: MMS308 4:24
mutex m
process p { lock(m); unlock(m) }
invariant i: held_read(m, p)
