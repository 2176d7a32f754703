// expect: MMS315 3:14
mutex m
invariant i: held(m)
