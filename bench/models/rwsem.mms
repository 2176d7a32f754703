// RWSEM(N, K): N threads share one reader/writer semaphore kept as plain variables (a
// reader count and the writer's id, 0 for none); each thread does at most K operations.
// Distinct states: (2(K+1))^N + N(K+1)^N (no writer: every thread idle or reading with any
// op count; one writer: every other thread idle).
spec rwsem_bench

const N = 5
const K = 6

type Tid = 1..N
type Pc = enum { idle, reading, writing }

var pc: map[Tid] Pc = idle
var ops: map[Tid] 0..K = 0
var readers: 0..N = 0
var writer: 0..N = 0               // 0: no writer, else the writer's id

action StartRead(i in Tid) when pc[i] == idle && writer == 0 {
    pc'[i] = reading
    readers' = readers + 1
}

action EndRead(i in Tid) when pc[i] == reading && ops[i] < K {
    pc'[i] = idle
    readers' = readers - 1
    ops'[i] = ops[i] + 1
}

action StartWrite(i in Tid) when pc[i] == idle && writer == 0 && readers == 0 {
    pc'[i] = writing
    writer' = i
}

action EndWrite(i in Tid) when pc[i] == writing && ops[i] < K {
    pc'[i] = idle
    writer' = 0
    ops'[i] = ops[i] + 1
}

invariant excl: writer != 0 => readers == 0

option deadlock = false
