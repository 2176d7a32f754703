// irq_lock_unsafe.mms with lockdep's usage check turned off: the search finds the real
// deadlock. The worker holds the lock with IRQs enabled, the timer interrupt arrives on
// the same CPU and spins on the lock; the worker cannot run again until the handler
// returns, so neither ever moves.
spec irq_lock_unsafe_deadlock

spinlock lock
var count: 0..2 = 0

process worker cpu(0) {
        spin_lock(lock)            // BUG: spin_lock_irqsave() needed
  inc:  count := count + 1
        spin_unlock(lock)
}

hardirq process timer cpu(0) {      // may interrupt worker whenever its IRQs are on
        spin_lock(lock)
  tick: count := count + 1
        spin_unlock(lock)
}

option irqlock = false     // lockdep off: let the search run into the deadlock itself
expect deadlock
