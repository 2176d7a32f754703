// A spinlock shared with a hardirq handler, taken with plain spin_lock() in process
// context: IRQs stay enabled while it is held. lockdep reports the inconsistent usage
// ({IN-HARDIRQ-W} in the handler, {HARDIRQ-ON-W} in process context) as soon as both
// usages have been seen on any interleaving, whether or not this run deadlocked.
// irq_lock_unsafe_deadlock.mms shows the real deadlock; irq_lock_irqsave.mms the fix.
spec irq_lock_unsafe

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

expect irq-lock
