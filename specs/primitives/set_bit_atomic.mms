// The fix of set_bit_plain_rmw.mms: both flags are set with the atomic set_bit().
spec set_bit_atomic

const LOCKED = 0
const DIRTY = 1

var flags: 0..3 = 0

process dirtier {
  s:    set_bit(DIRTY, &flags)
}

process locker {
  s:    set_bit(LOCKED, &flags)
}

invariant dirty_kept: dirtier@done => (flags & (1 << DIRTY)) != 0
invariant locked_kept: locker@done => test_bit_(flags, LOCKED)

def test_bit_(w, nr) = (w & (1 << nr)) != 0
