// The Echo algorithm (spanning tree from one initiator), translated from the PlusCal
// translation in Echo.tla with exactly its atomicity: one action per PlusCal label and
// witness (`with (msg \in inbox[self])` is a parameter over the state-dependent set).
// Source: https://github.com/tlaplus/Examples specifications/echo/Echo.tla and MCEcho.tla
// at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9, model MCEcho.cfg: three fully meshed
// nodes {"a", "b", "c"}, initiator CHOOSE n \in Node: TRUE (TLC picks "a").
// TLC (specifications/echo/manifest.json): 75 distinct states, 116 generated, depth 16.
//
// Encoding: nodes a, b, c are 0, 1, 2 and NoNode is 3. The messages in flight,
// `inbox \in [Node -> SUBSET [kind: {"m", "c"}, sndr: Node]]`, are sets of records.
// `nbrs` never changes (it is neighbors(self) from the start), so it is a def here.
// `self` is a keyword in .mms, so the node parameter is `p`.
// PlusCal's `Terminating` stutter step is an action with no update: TLC counts its
// successor (the same state) as generated, and so does mmspec. The two PlusCal asserts are
// in-step checks TLC never sees fail; they are kept as invariants over the same states
// (msg.kind is checked on every message a non-initiator may receive first).
spec Echo

type Node = 0..2
type Kind = enum { M, C }
type Msg = record { kind: Kind, sndr: Node }
type Pc = enum { n0, n1, n2, Done }

def NoNode = 3
def initiator = 0
def nbrs(n) = {m in Node: m != n}

var inbox: map[Node] set[Msg] = {}
var parent: map[Node] 0..3 = NoNode
var children: map[Node] set[Node] = {}
var rcvd: map[Node] 0..2 = 0
var pc: map[Node] Pc = n0

def multicast(net, src, dest, knd) =
    [q in Node |-> if q in dest then net[q] union {{kind: knd, sndr: src}} else net[q]]

action N0(p in Node) when pc[p] == n0 {
    inbox' = if p == initiator then multicast(inbox, p, nbrs(p), M) else inbox
    pc'[p] = n1
}
action N1Receive(p in Node, msg in inbox[p])
        when pc[p] == n1 && rcvd[p] < card(nbrs(p)) {
    rcvd'[p] = rcvd[p] + 1
    inbox' = if p != initiator && rcvd[p] + 1 == 1
             then multicast(inbox with [p] = inbox[p] minus {msg}, p,
                            nbrs(p) minus {msg.sndr}, M)
             else inbox with [p] = inbox[p] minus {msg}
    parent' = if p != initiator && rcvd[p] + 1 == 1
              then parent with [p] = msg.sndr else parent
    children' = if msg.kind == C then children with [p] = children[p] union {msg.sndr}
                else children
}
action N1Exit(p in Node) when pc[p] == n1 && rcvd[p] >= card(nbrs(p)) {
    pc'[p] = n2
}
action N2(p in Node) when pc[p] == n2 {
    inbox' = if p != initiator
             then inbox with [parent[p]] = inbox[parent[p]] union {{kind: C, sndr: p}}
             else inbox
    pc'[p] = Done
}
action Terminating when forall n in Node: pc[n] == Done { }

invariant TypeOK: (forall n in Node: rcvd[n] <= card(nbrs(n))) &&
    (forall n in Node: forall msg in inbox[n]: msg.sndr in nbrs(n))
invariant FirstMessageIsM: forall n in Node: n != initiator && pc[n] == n1 && rcvd[n] == 0 =>
    (forall msg in inbox[n]: msg.kind == M)
invariant ParentIsNeighbor: forall n in Node: pc[n] == n2 && n != initiator => parent[n] in nbrs(n)
// IsAncestor is the transitive closure of the parent relation; over three nodes a chain
// has at most two links, so "the initiator is an ancestor of n" is unrolled to that depth,
// and the relation is irreflexive when no node is its own parent or grandparent.
def Anc(n, m) = parent[n] == m || (parent[n] != NoNode && parent[parent[n]] == m)
invariant AncestorProperties: (forall n in Node: pc[n] == Done) =>
    (forall n in Node minus {initiator}: Anc(n, initiator)) && (forall n in Node: !Anc(n, n))
