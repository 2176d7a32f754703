// refcount_inc() on an object whose last reference may be going away (issue 15 item 5).
// The getter found the object without holding a reference of its own (a lookup in a shared
// slot, no lock) and takes one with refcount_inc(). The owner's put may already have dropped
// the count to 0: the kernel WARNs "refcount_t: addition on 0; use-after-free." and the
// object is being freed under the getter. The fix, refcount_inc_not_zero(), is
// refcount_inc_not_zero.mms. Both run on mmspec's kernel API (docs/kernel.md).
spec refcount_inc_from_zero

var ref: 0..2 = 1                   // the object's refcount_t: the owner's reference
var freed: bool = false

process owner {
  put:  if refcount_dec_and_test(&ref) {
  free:     freed := true           // the last reference: kfree()
        }
}

process getter {
  get:  refcount_inc(&ref)          // BUG: no reference held; the count may be 0
  put2: if refcount_dec_and_test(&ref) {
  free2:    freed := true
        }
}

// the getter holds a reference: the object is not freed under it
invariant no_uaf: getter@put2 => !freed

expect refcount
