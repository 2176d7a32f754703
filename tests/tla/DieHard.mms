// Die Hard jugs, translated from Lamport's DieHard.tla with exactly its atomicity (one action
// per TLA+ action). Source: https://github.com/tlaplus/Examples specifications/DieHard/
// DieHard.tla. TLC reports a violation of NotSolved (the manifest lists "safety failure");
// its breadth-first trace is the movie's six-pour solution.
spec DieHard

var big: 0..5
var small: 0..3

def Min(m, n) = if m < n then m else n

action FillSmallJug { small' = 3 }
action FillBigJug { big' = 5 }
action EmptySmallJug { small' = 0 }
action EmptyBigJug { big' = 0 }
action SmallToBig {
    big' = Min(big + small, 5)
    small' = small - (Min(big + small, 5) - big)
}
action BigToSmall {
    small' = Min(big + small, 3)
    big' = big - (Min(big + small, 3) - small)
}

invariant NotSolved: big != 4
expect invariant NotSolved
