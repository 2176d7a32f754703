// expect: MMS315 3:13
mutex m
process p { mutex_trylock(m) }
