// A bit-flag race (issue 15 item 5): one path sets DIRTY with the atomic set_bit(), another
// sets LOCKED in the same word with a plain read-modify-write (`flags |= 1 << LOCKED` is a
// load and a store in C). The plain store writes back the word it loaded and erases DIRTY.
// The fix, set_bit_atomic.mms, uses set_bit() on both sides.
spec set_bit_plain_rmw

const LOCKED = 0                    // bit numbers
const DIRTY = 1

var flags: 0..3 = 0

process dirtier {
  s:    set_bit(DIRTY, &flags)
}

process locker {
    var t: 0..3
  ld:   t := flags                  // flags |= 1 << LOCKED, as the compiler emits it
  st:   flags := t | (1 << LOCKED)
}

invariant dirty_kept: dirtier@done => (flags & (1 << DIRTY)) != 0

expect invariant dirty_kept
