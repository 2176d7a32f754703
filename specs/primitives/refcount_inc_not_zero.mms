// The fix of refcount_inc_from_zero.mms: the lookup takes its reference with
// refcount_inc_not_zero() and backs off when the object is already dying (count 0).
spec refcount_inc_not_zero

var ref: 0..2 = 1                   // the object's refcount_t: the owner's reference
var freed: bool = false

process owner {
  put:  if refcount_dec_and_test(&ref) {
  free:     freed := true           // the last reference: kfree()
        }
}

process getter {
  get:  if refcount_inc_not_zero(&ref) {     // one step: test, increment, decide
  put2:     if refcount_dec_and_test(&ref) {
  free2:        freed := true
            }
        }                                    // 0: the object is dying, look elsewhere
}

invariant no_uaf: getter@put2 => !freed
