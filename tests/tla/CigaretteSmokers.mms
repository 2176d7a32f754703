// The cigarette smokers problem, translated from CigaretteSmokers.tla with exactly its
// atomicity: startSmoking and stopSmoking, the latter once per offer the dealer may put
// on the table next (`dealer' \in Offers` is enumerated per witness, as TLC does).
// Source: https://github.com/tlaplus/Examples specifications/CigaretteSmokers/
// CigaretteSmokers.tla at commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9, model
// CigaretteSmokers.cfg (Ingredients = {matches, paper, tobacco}, Offers = the three pairs).
// TLC (specifications/CigaretteSmokers/manifest.json): 6 distinct states, 15 generated,
// depth 2.
//
// Encoding: an offer (a pair of ingredients) is named by the ingredient it lacks, and the
// empty table `{}` is NoOffer (a bijection, so the counts carry over). ChooseOne(S, P) is
// CHOOSE x \in S: P(x) /\ \A y \in S: P(y) => y = x.
spec CigaretteSmokers

type Ingredient = enum { matches, paper, tobacco }
type Offer = enum { noMatches, noPaper, noTobacco, NoOffer }

var smokers: map[Ingredient] record { smoking: bool } = {smoking: false}
var dealer: Offer in {noMatches, noPaper, noTobacco}

def lacks(d, r) = (d == noMatches && r == matches) || (d == noPaper && r == paper) ||
    (d == noTobacco && r == tobacco)
def ChooseSmoker = choose x in Ingredient: smokers[x].smoking &&
    (forall y in Ingredient: smokers[y].smoking => y == x)

action startSmoking when dealer != NoOffer {
    smokers' = [r in Ingredient |-> {smoking: lacks(dealer, r)}]
    dealer' = NoOffer
}
action stopSmoking when dealer == NoOffer {
    pick d in {noMatches, noPaper, noTobacco}
    smokers'[ChooseSmoker].smoking = false
    dealer' = d
}

invariant AtMostOne: card({r in Ingredient: smokers[r].smoking}) <= 1
