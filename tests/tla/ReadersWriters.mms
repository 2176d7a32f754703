// Readers-writers with a FIFO queue of requests, translated from Isaac DeFrain's
// ReadersWriters.tla with exactly its atomicity (one action per TLA+ action and witness).
// Source: https://github.com/tlaplus/Examples specifications/ReadersWriters/ReadersWriters.tla
// at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9, model MC.cfg (NumActors <- 3).
// TLC (specifications/ReadersWriters/manifest.json): 21527 distinct states, 59674
// generated, depth 13.
//
// Encoding: the queue `waiting \in Seq({"read", "write"} \X Actors)` is a bounded sequence
// of records; it never holds more than 2 * N requests (TryRead/TryWrite refuse an actor
// already waiting for that kind of access), so `max 2 * N` bounds nothing TLC reaches.
// `CASE pair[1] = "read" -> Read(actor) [] ... -> Write(actor)` is one action with a
// conditional update. MC.cfg's PROPERTY Liveness (quantified []<> under WF) is left out
// here: it does not change the counts.
spec ReadersWriters

const N = 3
type Actor = 1..N
type Kind = enum { read, write }
type Req = record { kind: Kind, actor: Actor }

var readers: set[Actor] = {}
var writers: set[Actor] = {}
var waiting: seq[Req] max 2 * N = <<>>

def Waiting(k, a) = exists i in 1..2 * N: i <= len(waiting) && waiting[i].kind == k &&
    waiting[i].actor == a

action TryRead(actor in Actor) when !Waiting(read, actor) {
    waiting' = append(waiting, {kind: read, actor: actor})
}
action TryWrite(actor in Actor) when !Waiting(write, actor) {
    waiting' = append(waiting, {kind: write, actor: actor})
}
action ReadOrWrite when waiting != <<>> && writers == {} &&
        (head(waiting).kind == read || readers == {}) {
    readers' = if head(waiting).kind == read then readers union {head(waiting).actor}
               else readers
    writers' = if head(waiting).kind == write then writers union {head(waiting).actor}
               else writers
    waiting' = tail(waiting)
}
action Stop(actor in readers union writers) {
    readers' = readers minus {actor}
    writers' = if actor in readers then writers else writers minus {actor}
}

invariant Safety: !(readers != {} && writers != {}) && card(writers) <= 1
