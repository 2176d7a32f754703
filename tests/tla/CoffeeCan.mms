// The Coffee Can problem (Helwer), translated from CoffeeCan.tla with exactly its atomicity:
// one transition per TLA+ action, the can record as its two fields.
// Source: https://github.com/tlaplus/Examples specifications/CoffeeCan/CoffeeCan.tla at commit
// 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9. TLC (CoffeeCan100Beans.cfg, MaxBeanCount = 100):
// 5150 distinct states, 20002 states generated, depth 1 (every reachable state is initial;
// specifications/CoffeeCan/manifest.json in the same repository).
//
// TLA+ -> .mms:
// - Init == can \in {c \in Can : c.black + c.white \in 1..MaxBeanCount} is the initial
//   predicate Init; the variables have no initial value, so they range over their types.
// - Spec's WF_can(Next) is `fair weak next`: fairness on the whole next-state relation.
//   Termination leaves the can unchanged (a stuttering step), so, as for WF_can, it never
//   discharges the fairness obligation.
// - MonotonicDecrease and LoopInvariant, [][A]_can, are action properties `always [A]` (a
//   step of Termination changes nothing, so A || unchanged(can) is A here).
// - TerminationHypothesis, IF white even THEN <>(black = 1 /\ white = 0) ELSE <>(...), is a
//   condition on the initial state; with white's parity invariant (LoopInvariant) it is the
//   two `leadsto` properties below, checked from every state instead of the initial ones.
spec CoffeeCan

const MaxBeanCount = 100

var black: 0..MaxBeanCount
var white: 0..MaxBeanCount

def BeanCount = black + white

initial Init: BeanCount >= 1 && BeanCount <= MaxBeanCount

action PickSameColorWhite when BeanCount > 1 && white >= 2 {
    black' = black + 1
    white' = white - 2
}
action PickSameColorBlack when BeanCount > 1 && black >= 2 {
    black' = black - 1
}
action PickDifferentColor when BeanCount > 1 && black >= 1 && white >= 1 {
    black' = black - 1
}
action Termination when BeanCount == 1 { }

fair weak next

property EventuallyTerminates: eventually BeanCount == 1
property MonotonicDecrease: always [BeanCount > 1 => black' + white' < BeanCount]
property LoopInvariant: always [(white % 2 == 0) <=> (white' % 2 == 0)]
property HypothesisEven: white % 2 == 0 leadsto (black == 1 && white == 0)
property HypothesisOdd: white % 2 == 1 leadsto (black == 0 && white == 1)
